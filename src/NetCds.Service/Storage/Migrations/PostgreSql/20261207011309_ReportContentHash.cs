using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ReportContentHash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContentHash",
                table: "patient_reports",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ContentHash",
                table: "patient_reports");
        }
    }
}
