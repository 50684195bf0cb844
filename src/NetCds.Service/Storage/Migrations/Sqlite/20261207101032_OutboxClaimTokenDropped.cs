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

            migrationBuilder.DropColumn(
                name: "ClaimToken",
                table: "outbox");
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
