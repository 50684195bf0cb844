using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NetCds.Service.Storage.Migrations.PostgreSql
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
                type: "text",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.CreateTable(
                name: "cds_card_tallies",
                columns: table => new
                {
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Therapy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RuleId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Shown = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cds_card_tallies", x => new { x.Day, x.Therapy, x.RuleId });
                });

            // Per card, each therapy once with its status and rules ("-", no rule, becomes an empty list).
            migrationBuilder.Sql("""
                UPDATE cds_cards AS c SET "Subjects" = s.subjects
                FROM (
                    SELECT t."CardUuid", json_agg(json_build_object('therapy', t."Therapy", 'status', t."Status", 'rules', t.rules) ORDER BY t."Therapy")::text AS subjects
                    FROM (
                        SELECT "CardUuid", "Therapy", MAX("Status") AS "Status",
                               COALESCE(json_agg("RuleId" ORDER BY "RuleId") FILTER (WHERE "RuleId" <> '-'), '[]'::json) AS rules
                        FROM cds_card_rules
                        GROUP BY "CardUuid", "Therapy") AS t
                    GROUP BY t."CardUuid") AS s
                WHERE c."CardUuid" = s."CardUuid";
                """);

            // Per UTC day, therapy and rule: how many cards showed it.
            migrationBuilder.Sql("""
                INSERT INTO cds_card_tallies ("Day", "Therapy", "RuleId", "Shown")
                SELECT (c."ShownAt" AT TIME ZONE 'UTC')::date, r."Therapy", r."RuleId", COUNT(*)
                FROM cds_card_rules AS r
                JOIN cds_cards AS c ON c."CardUuid" = r."CardUuid"
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
                    CardUuid = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Therapy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RuleId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
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
                INSERT INTO cds_card_rules ("CardUuid", "Therapy", "RuleId", "Status")
                SELECT DISTINCT c."CardUuid", s.value ->> 'therapy', COALESCE(r.value, '-'), s.value ->> 'status'
                FROM cds_cards AS c
                CROSS JOIN LATERAL json_array_elements(c."Subjects"::json) AS s(value)
                LEFT JOIN LATERAL json_array_elements_text(s.value -> 'rules') AS r(value) ON true;
                """);

            migrationBuilder.DropTable(
                name: "cds_card_tallies");

            migrationBuilder.DropColumn(
                name: "Subjects",
                table: "cds_cards");
        }
    }
}
