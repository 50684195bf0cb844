using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CardMemorySubjects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Issue 20: a card's therapies, statuses and rules become one JSON column, and "how often shown" daily
            // tallies; the rows of cds_card_rules are carried over into both before it is dropped.
            migrationBuilder.AddColumn<string>(
                name: "Subjects",
                table: "cds_cards",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.CreateTable(
                name: "cds_card_tallies",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Therapy = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RuleId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Shown = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cds_card_tallies", x => new { x.Day, x.Therapy, x.RuleId });
                });

            // Per card, each therapy once with its status and rules ("-", no rule, becomes an empty list).
            migrationBuilder.Sql("""
                UPDATE "cds_cards" SET "Subjects" = (
                    SELECT json_group_array(json_object('therapy', t."Therapy", 'status', t."Status", 'rules', json(t."Rules")))
                    FROM (
                        SELECT r."Therapy" AS "Therapy", MAX(r."Status") AS "Status",
                               json_group_array(r."RuleId") FILTER (WHERE r."RuleId" <> '-') AS "Rules"
                        FROM "cds_card_rules" AS r
                        WHERE r."CardUuid" = "cds_cards"."CardUuid"
                        GROUP BY r."Therapy"
                        ORDER BY r."Therapy") AS t)
                WHERE EXISTS (SELECT 1 FROM "cds_card_rules" AS r WHERE r."CardUuid" = "cds_cards"."CardUuid");
                """);

            // Per UTC day, therapy and rule: how many cards showed it.
            migrationBuilder.Sql("""
                -- ShownAt holds EF's DateTimeOffsetToBinaryConverter value, (ticks / 1000) << 11 | offset minutes (the writer stores UTC).
                INSERT INTO "cds_card_tallies" ("Day", "Therapy", "RuleId", "Shown")
                SELECT date((((c."ShownAt" >> 11) * 1000) - 621355968000000000) / 10000000, 'unixepoch'), r."Therapy", r."RuleId", COUNT(*)
                FROM "cds_card_rules" AS r
                JOIN "cds_cards" AS c ON c."CardUuid" = r."CardUuid"
                GROUP BY 1, 2, 3;
                """);

            migrationBuilder.DropTable(
                name: "cds_card_rules");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cds_card_rules",
                columns: table => new
                {
                    CardUuid = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Therapy = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RuleId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cds_card_rules", x => new { x.CardUuid, x.Therapy, x.RuleId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_cds_card_rules_Therapy_RuleId",
                table: "cds_card_rules",
                columns: new[] { "Therapy", "RuleId" });

            // Back to a row per card, therapy and rule ("-" where the card named no rule); the tallies are dropped.
            migrationBuilder.Sql("""
                INSERT INTO "cds_card_rules" ("CardUuid", "Therapy", "RuleId", "Status")
                SELECT DISTINCT c."CardUuid", json_extract(s.value, '$.therapy'), COALESCE(r.value, '-'), json_extract(s.value, '$.status')
                FROM "cds_cards" AS c
                JOIN json_each(c."Subjects") AS s
                LEFT JOIN json_each(s.value, '$.rules') AS r;
                """);

            migrationBuilder.DropTable(
                name: "cds_card_tallies");

            migrationBuilder.DropColumn(
                name: "Subjects",
                table: "cds_cards");
        }
    }
}
