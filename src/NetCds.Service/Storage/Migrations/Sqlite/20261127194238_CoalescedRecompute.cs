using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CoalescedRecompute : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Generation",
                table: "patient_reports",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<Guid>(
                name: "ClaimToken",
                table: "outbox",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "patient_record_state",
                columns: table => new
                {
                    Patient = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Generation = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_patient_record_state", x => x.Patient);
                });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_ClaimToken",
                table: "outbox",
                column: "ClaimToken");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "patient_record_state");

            migrationBuilder.DropIndex(
                name: "IX_outbox_ClaimToken",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "Generation",
                table: "patient_reports");

            migrationBuilder.DropColumn(
                name: "ClaimToken",
                table: "outbox");
        }
    }
}
