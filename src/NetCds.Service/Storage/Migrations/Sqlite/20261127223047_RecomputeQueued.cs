using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RecomputeQueued : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "PendingSince",
                table: "patient_record_state",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PendingSince",
                table: "patient_record_state");
        }
    }
}
