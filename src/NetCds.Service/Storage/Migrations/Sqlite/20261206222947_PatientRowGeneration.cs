using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PatientRowGeneration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_fhir_resources_Patient",
                table: "fhir_resources");

            migrationBuilder.AddColumn<long>(
                name: "LeftAt",
                table: "patient_record_state",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "Generation",
                table: "fhir_resources",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_fhir_resources_Patient_Generation",
                table: "fhir_resources",
                columns: new[] { "Patient", "Generation" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_fhir_resources_Patient_Generation",
                table: "fhir_resources");

            migrationBuilder.DropColumn(
                name: "LeftAt",
                table: "patient_record_state");

            migrationBuilder.DropColumn(
                name: "Generation",
                table: "fhir_resources");

            migrationBuilder.CreateIndex(
                name: "IX_fhir_resources_Patient",
                table: "fhir_resources",
                column: "Patient");
        }
    }
}
