using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxClaimTokenDropped : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_ClaimToken",
                table: "outbox");

            // SQLite (3.35+) drops an unindexed column itself. EF's DropColumn rebuilds the table instead, which cannot run
            // in the migration's transaction and logged a warning on every start with a new store.
            migrationBuilder.Sql("""ALTER TABLE "outbox" DROP COLUMN "ClaimToken";""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ClaimToken",
                table: "outbox",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_outbox_ClaimToken",
                table: "outbox",
                column: "ClaimToken");
        }
    }
}
