using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class FactState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Facts",
                table: "fhir_resources",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FactsVersion",
                table: "fhir_resources",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Facts",
                table: "fhir_resources");

            migrationBuilder.DropColumn(
                name: "FactsVersion",
                table: "fhir_resources");
        }
    }
}
