using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cds_feedback",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ServiceId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CardUuid = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    AcceptedSuggestions = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    OverrideReasonSystem = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    OverrideReasonCode = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    UserComment = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    OutcomeTimestamp = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Client = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cds_feedback", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_cds_feedback_CardUuid",
                table: "cds_feedback",
                column: "CardUuid");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cds_feedback");
        }
    }
}
