using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class CardMemory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IdempotencyKey",
                table: "cds_feedback",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "cds_card_rules",
                columns: table => new
                {
                    CardUuid = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Therapy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RuleId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cds_card_rules", x => new { x.CardUuid, x.Therapy, x.RuleId });
                });

            migrationBuilder.CreateTable(
                name: "cds_cards",
                columns: table => new
                {
                    CardUuid = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ServiceId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Hook = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    HookInstance = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    PatientHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ShownAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cds_cards", x => x.CardUuid);
                });

            migrationBuilder.CreateTable(
                name: "install_secrets",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Value = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_install_secrets", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_cds_feedback_IdempotencyKey",
                table: "cds_feedback",
                column: "IdempotencyKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_cds_card_rules_Therapy_RuleId",
                table: "cds_card_rules",
                columns: new[] { "Therapy", "RuleId" });

            migrationBuilder.CreateIndex(
                name: "IX_cds_cards_ShownAt",
                table: "cds_cards",
                column: "ShownAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cds_card_rules");

            migrationBuilder.DropTable(
                name: "cds_cards");

            migrationBuilder.DropTable(
                name: "install_secrets");

            migrationBuilder.DropIndex(
                name: "IX_cds_feedback_IdempotencyKey",
                table: "cds_feedback");

            migrationBuilder.DropColumn(
                name: "IdempotencyKey",
                table: "cds_feedback");
        }
    }
}
