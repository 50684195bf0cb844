using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetCds.Service.CdsHooks.Security;
using NetCds.Service.Storage;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using Npgsql;

namespace NetCds.Service.Tests.CdsHooks;

/// <summary>
/// CDS Hooks 2.0, "Trusting CDS Clients": the service takes a call only with a JWT signed (RS384/ES384) by an
/// allow-listed EHR whose keys come from its configured JWKS URL. Keys are made at test time; the JWKS and the
/// service run on loopback Kestrel hosts.
/// </summary>
public sealed class JwtTests : IAsyncLifetime
{
    private const string Ehr = "https://ehr.example.org/fhir";

    private readonly EhrKey rsa = EhrKey.Rs384("rsa-2026-01");
    private readonly EhrKey ec = EhrKey.Es384("ec-2026-01");
    private readonly List<IAsyncDisposable> hosts = [];
    private JwksServer jwks = null!;
    private SecuredApp sut = null!;

    public async ValueTask InitializeAsync()
    {
        jwks = await Host(JwksServer.StartAsync(rsa, ec));
        sut = await Host(SecuredApp.StartAsync(Settings()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(hosts))
        {
            await host.DisposeAsync();
        }

        rsa.Dispose();
        ec.Dispose();
    }

    [Fact]
    public async Task A_valid_RS384_token_is_accepted_and_the_endpoint_sees_the_caller()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec(), rsa));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var caller = await response.Content.ReadFromJsonAsync<CdsHooksCaller>(TestContext.Current.CancellationToken);
        caller.Should().Be(new CdsHooksCaller(Ehr, "netcds-client", null));
    }

    [Fact]
    public async Task A_valid_ES384_token_is_accepted()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec(), ec));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_without_kid_is_refused_even_when_one_key_would_fit()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Kid = "" }, ec));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("NoKid");
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("iat")]
    [InlineData("nbf")]
    public async Task A_time_claim_written_as_a_string_is_refused(string claim)
    {
        var now = sut.Clock.GetUtcNow();
        var value = (claim == "exp" ? now.AddMinutes(4) : now).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Claims = new Dictionary<string, object?> { [claim] = value } }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("NonNumericTime");
    }

    [Fact]
    public async Task A_token_living_exactly_the_maximum_lifetime_is_accepted()
    {
        var now = sut.Clock.GetUtcNow();

        using var response = await sut.CallAsync(Jws.Sign(Spec() with { IssuedAt = now, Expires = now.AddSeconds(300) }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(31_000_000_000)]
    public async Task A_token_living_longer_than_the_maximum_lifetime_is_refused(long seconds)
    {
        var now = sut.Clock.GetUtcNow();

        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Claims = new Dictionary<string, object?> { ["exp"] = now.ToUnixTimeSeconds() + seconds } }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("LifetimeTooLong");
    }

    [Fact]
    public async Task The_maximum_lifetime_is_configurable()
    {
        var app = await Host(SecuredApp.StartAsync(Settings(("CdsHooks:MaxTokenLifetimeSeconds", "60"))));
        var now = app.Clock.GetUtcNow();

        using var response = await app.CallAsync(Jws.Sign(Spec(app) with { Expires = now.AddSeconds(61) }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Logs.Refusals.Should().Equal("LifetimeTooLong");
    }

    [Fact]
    public async Task A_jti_longer_than_200_characters_is_refused()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Jti = new string('j', 201) }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("JtiTooLong");
    }

    [Fact]
    public async Task A_token_for_another_URL_is_refused()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Audience = sut.BaseAddress + "/cds-services/another-service" }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("WrongAudience");
    }

    [Fact]
    public async Task The_audience_may_differ_from_the_URL_called_by_a_trailing_slash()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Audience = sut.ServiceUrl + "/" }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var now = sut.Clock.GetUtcNow();

        using var response = await sut.CallAsync(Jws.Sign(Spec() with { IssuedAt = now.AddMinutes(-6), Expires = now.AddSeconds(-31) }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("Expired");
    }

    [Fact]
    public async Task A_token_expired_by_less_than_the_clock_skew_is_accepted()
    {
        var now = sut.Clock.GetUtcNow();

        using var response = await sut.CallAsync(Jws.Sign(Spec() with { IssuedAt = now.AddMinutes(-5), Expires = now.AddSeconds(-20) }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_issued_in_the_future_is_refused()
    {
        var now = sut.Clock.GetUtcNow();

        using var response = await sut.CallAsync(Jws.Sign(Spec() with { IssuedAt = now.AddMinutes(2), Expires = now.AddMinutes(7) }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("IssuedInTheFuture");
    }

    [Fact]
    public async Task A_token_without_exp_is_refused()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Expires = null }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("NoExpiry");
    }

    [Fact]
    public async Task A_token_without_iat_is_refused()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { WithIssuedAt = false }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("NoIssuedAt");
    }

    [Fact]
    public async Task A_token_without_jti_is_refused()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Jti = null }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("NoJti");
    }

    [Fact]
    public async Task A_replayed_token_is_refused_the_second_time()
    {
        var token = Jws.Sign(Spec(), rsa);

        using var first = await sut.CallAsync(token);
        using var second = await sut.CallAsync(token);

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        second.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("Replayed");
    }

    [Fact]
    public async Task The_same_token_sent_concurrently_is_accepted_once()
    {
        var token = Jws.Sign(Spec(), ec);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => sut.CallAsync(token)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().Be(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized).Should().Be(7);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_token_used_on_one_instance_is_refused_by_another_sharing_the_store()
    {
        var database = Path.Combine(Path.GetTempPath(), $"netcds-jwt-shared-{Guid.NewGuid():N}.db");
        try
        {
            var shared = Settings(("ConnectionStrings:Store", $"Data Source={database}"));
            var first = await Host(SecuredApp.StartAsync(shared, sut.Clock));
            var second = await Host(SecuredApp.StartAsync(shared, sut.Clock));
            var token = Jws.Sign(Spec(), rsa);

            using var accepted = await first.CallAsync(token);
            using var replayed = await second.CallAsync(token);

            accepted.StatusCode.Should().Be(HttpStatusCode.OK);
            replayed.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            second.Logs.Refusals.Should().Equal("Replayed");
        }
        finally
        {
            foreach (var host in hosts.Skip(2).Reverse().ToList())
            {
                await host.DisposeAsync();
                hosts.Remove(host);
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(database);
        }
    }

    [Fact]
    public async Task A_token_used_on_one_instance_is_refused_by_another_sharing_a_PostgreSQL_store()
    {
        var admin = Environment.GetEnvironmentVariable("NETCDS_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrEmpty(admin), "NETCDS_TEST_POSTGRES is not set: run ./test.sh, which starts PostgreSQL (deploy/local/postgres.sh)");
        var database = await TestDatabases.CreateAsync(admin!, "netcds_jti");

        try
        {
            var shared = Settings(
                ("Storage:Provider", "PostgreSql"),
                ("ConnectionStrings:Store", new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString));
            var first = await Host(SecuredApp.StartAsync(shared, sut.Clock));
            var second = await Host(SecuredApp.StartAsync(shared, sut.Clock));
            var token = Jws.Sign(Spec(), ec);

            var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? first : second).CallAsync(token)));

            responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().Be(1);
            responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized).Should().Be(5);
            foreach (var response in responses)
            {
                response.Dispose();
            }

            // Off the WAL (issue 20): the table is UNLOGGED.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var persistence = new NpgsqlCommand("SELECT relpersistence FROM pg_class WHERE relname = 'cds_used_jti'", connection);
            (await persistence.ExecuteScalarAsync(TestContext.Current.CancellationToken)).Should().Be('u');
        }
        finally
        {
            foreach (var host in hosts.Skip(2).Reverse().ToList())
            {
                await host.DisposeAsync();
                hosts.Remove(host);
            }

            await TestDatabases.DropAsync(admin, database);
        }
    }

    [Fact]
    public async Task Expired_jti_rows_are_purged_and_live_ones_kept()
    {
        var now = sut.Clock.GetUtcNow();
        using (var early = await sut.CallAsync(Jws.Sign(Spec() with { IssuedAt = now.AddSeconds(-250), Expires = now.AddSeconds(10) }, rsa)))
        {
            early.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var late = await sut.CallAsync(Jws.Sign(Spec(), rsa)))
        {
            late.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        sut.Clock.Advance(TimeSpan.FromSeconds(41));
        var purged = await sut.Services.GetRequiredService<JtiReplayCache>().PurgeExpiredAsync(TestContext.Current.CancellationToken);

        purged.Should().Be(1);
        await using var scope = sut.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<StoreContext>().UsedJtis.CountAsync(TestContext.Current.CancellationToken)).Should().Be(1);
    }

    [Fact]
    public async Task A_replay_on_the_instance_that_saw_the_jti_is_refused_without_the_store()
    {
        var token = Jws.Sign(Spec(), rsa);
        using (var first = await sut.CallAsync(token))
        {
            first.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // The row gone from the store: only this instance's own memory of the jti can refuse the replay (issue 20).
        await using (var scope = sut.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StoreContext>().UsedJtis.ExecuteDeleteAsync(TestContext.Current.CancellationToken);
        }

        using var replayed = await sut.CallAsync(token);

        replayed.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("Replayed");
    }

    [Fact]
    public async Task Jtis_recorded_together_are_each_answered_for_themselves_and_refused_by_another_instance_sharing_the_store()
    {
        var ct = TestContext.Current.CancellationToken;
        var here = sut.Services.GetRequiredService<JtiReplayCache>();
        var elsewhere = new JtiReplayCache(sut.Services.GetRequiredService<IServiceScopeFactory>(), new StoreWriteTurn(), sut.Clock);
        var keepUntil = sut.Clock.GetUtcNow().AddMinutes(5);
        var jtis = Enumerable.Range(0, 3 * JtiReplayCache.MaxBatch / 2).Select(_ => Guid.NewGuid().ToString("N")).ToList();

        // Each jti twice, all at once: the callers share batched writes, and each learns whether its own jti was new.
        var recorded = await Task.WhenAll(jtis.Concat(jtis).Select(jti => here.TryRecordAsync(Ehr, jti, keepUntil, ct)));
        var replayedElsewhere = await Task.WhenAll(jtis.Select(jti => elsewhere.TryRecordAsync(Ehr, jti, keepUntil, ct)));

        recorded.Count(r => r).Should().Be(jtis.Count, "each jti is new exactly once");
        replayedElsewhere.Should().OnlyContain(r => !r, "the other instance has not seen them, but the shared store has");
        await using var scope = sut.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<StoreContext>().UsedJtis.CountAsync(j => jtis.Contains(j.Jti), ct)).Should().Be(jtis.Count);
    }

    [Fact]
    public async Task On_the_embedded_store_a_jti_is_recorded_in_its_writer_turn_and_the_call_answered_after_it()
    {
        // Issue 20: the jti upsert queues for SQLite's one writer (StoreWriteTurn) like every other in-process writer,
        // so it is handed the writer when the write before it ends instead of sleeping in SQLite's busy handler.
        var ct = TestContext.Current.CancellationToken;
        var turns = sut.Services.GetRequiredService<StoreWriteTurn>();
        await using var scope = sut.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreContext>();
        store.Should().BeOfType<SqliteStoreContext>("the embedded default");
        var jti = Guid.NewGuid().ToString("N");
        Task<HttpResponseMessage> call;
        using (await turns.EnterAsync(store, ct))
        {
            call = sut.CallAsync(Jws.Sign(Spec() with { Jti = jti }, rsa));
            await Eventually.UntilAsync(() => turns.Waiting == 1, "the call's jti upsert to wait for the writer's turn");
            call.IsCompleted.Should().BeFalse("a call is answered only once its jti is recorded");
            (await store.UsedJtis.AnyAsync(j => j.Jti == jti, ct)).Should().BeFalse("nothing is written out of turn");
        }

        using var answered = await call;
        answered.StatusCode.Should().Be(HttpStatusCode.OK);
        (await store.UsedJtis.AnyAsync(j => j.Jti == jti, ct)).Should().BeTrue();
    }

    [Fact]
    public async Task A_jti_may_be_used_again_once_its_first_token_has_expired()
    {
        var now = sut.Clock.GetUtcNow();
        var jti = Guid.NewGuid().ToString("N");
        using (var first = await sut.CallAsync(Jws.Sign(Spec() with { Jti = jti, Expires = now.AddSeconds(10) }, rsa)))
        {
            first.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        sut.Clock.Advance(TimeSpan.FromSeconds(41));
        using var again = await sut.CallAsync(Jws.Sign(Spec() with { Jti = jti }, rsa));

        again.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_CR_LF_in_an_unverified_issuer_cannot_forge_a_log_line()
    {
        const string Forged = "https://evil.example.org\r\nCDS Hooks call accepted from issuer https://ehr.example.org/fhir";

        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Issuer = Forged }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var refusal = sut.Logs.Entries.Should().ContainSingle(e => e.Text.StartsWith("CDS Hooks call refused", StringComparison.Ordinal)).Which.Text;
        refusal.Should().NotContain("\r").And.NotContain("\n").And.Contain("https://evil.example.org??CDS Hooks call accepted");
        sut.Logs.Entries.Should().NotContain(e => e.Text.StartsWith("CDS Hooks call accepted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_jti_refused_as_a_replay_is_one_the_issuer_already_used_not_one_a_forgery_tried()
    {
        var spec = Spec();
        using var forged = await sut.CallAsync(Jws.Tamper(Jws.Sign(spec, rsa), p => new(p) { ["sub"] = "intruder" }));
        using var genuine = await sut.CallAsync(Jws.Sign(spec, rsa));

        forged.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        genuine.StatusCode.Should().Be(HttpStatusCode.OK);
        sut.Logs.Refusals.Should().Equal("BadSignature");
    }

    [Fact]
    public async Task An_issuer_not_on_the_allow_list_is_refused_without_fetching_any_keys()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Issuer = "https://other-ehr.example.org" }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        jwks.Hits.Should().Be(0);
        sut.Logs.Refusals.Should().Equal("IssuerNotAllowed");
    }

    [Fact]
    public async Task An_HS256_token_is_refused_even_when_its_secret_is_the_published_key()
    {
        var secret = Encoding.UTF8.GetBytes(rsa.PublicJwk()["n"]);

        using var response = await sut.CallAsync(Jws.SignHs256(Spec(), secret, rsa.Kid));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("AlgorithmNotAllowed");
    }

    [Fact]
    public async Task An_RS256_token_is_refused_even_when_signed_by_the_trusted_key()
    {
        using var response = await sut.CallAsync(Jws.SignRs256(Spec(), rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("AlgorithmNotAllowed");
    }

    [Fact]
    public async Task An_unsigned_token_alg_none_is_refused()
    {
        using var response = await sut.CallAsync(Jws.Unsigned(Spec()));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("AlgorithmNotAllowed");
    }

    [Fact]
    public async Task A_payload_changed_after_signing_is_refused()
    {
        var token = Jws.Tamper(Jws.Sign(Spec(), rsa), p => new(p) { ["sub"] = "someone-else" });

        using var response = await sut.CallAsync(token);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("BadSignature");
    }

    [Fact]
    public async Task A_key_is_used_only_for_its_own_algorithm()
    {
        // ES384 header naming the RSA key's kid: no EC key has that kid.
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Kid = rsa.Kid }, ec));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sut.Logs.Refusals.Should().Equal("KeyNotFound");
    }

    [Fact]
    public async Task A_jku_other_than_the_configured_JWKS_URL_is_refused_and_never_fetched()
    {
        using var intruderKey = EhrKey.Rs384("intruder-1");
        var intruder = await Host(JwksServer.StartAsync(intruderKey));

        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Jku = intruder.Url }, intruderKey));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        intruder.Hits.Should().Be(0);
        sut.Logs.Refusals.Should().Equal("JkuNotAllowed");
    }

    [Fact]
    public async Task A_jku_equal_to_the_configured_JWKS_URL_is_accepted()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Jku = jwks.Url }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_rotated_key_with_an_unknown_kid_is_found_by_one_refetch()
    {
        using (var before = await sut.CallAsync(Jws.Sign(Spec(), rsa)))
        {
            before.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var rotated = EhrKey.Rs384("rsa-2026-02");
        jwks.Publish(rotated, ec);

        // The call that brings the new kid waits for the refetch and is served (IdentityModel's refresh, made blocking).
        using var after = await sut.CallAsync(Jws.Sign(Spec(), rotated));

        after.StatusCode.Should().Be(HttpStatusCode.OK);
        jwks.Hits.Should().Be(2);
    }

    [Fact]
    public async Task Unknown_kids_make_at_most_one_refetch_per_minimum_interval()
    {
        using var unpublished = EhrKey.Rs384("never-published");
        using (var warmUp = await sut.CallAsync(Jws.Sign(Spec(), rsa)))
        {
            warmUp.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // The first unknown kid refetches; the next ones, within JwksMinimumRefreshSeconds (30 s), do not.
        using var first = await sut.CallAsync(Jws.Sign(Spec(), unpublished));
        using var second = await sut.CallAsync(Jws.Sign(Spec(), unpublished));
        using var third = await sut.CallAsync(Jws.Sign(Spec(), unpublished));

        new[] { first, second, third }.Select(r => r.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.Unauthorized);
        jwks.Hits.Should().Be(2);
        sut.Logs.Refusals.Should().Equal("KeyNotFound", "KeyNotFound", "KeyNotFound");
    }

    [Fact]
    public async Task The_JWKS_refresh_intervals_are_the_settings()
    {
        var app = await Host(SecuredApp.StartAsync(Settings(("CdsHooks:JwksRefreshMinutes", "15"), ("CdsHooks:JwksMinimumRefreshSeconds", "7"))));
        using (var response = await app.CallAsync(Jws.Sign(Spec(app), rsa)))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // IdentityModel's ConfigurationManager holds the set; its automatic refresh runs on the system clock, so the
        // schedule is checked where it is set rather than by waiting (it cannot be shorter than 5 minutes).
        app.Services.GetRequiredService<IssuerKeys>().RefreshIntervals(jwks.Url).Should().Be((TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(7)));
    }

    [Fact]
    public async Task An_unreachable_JWKS_means_refusal_not_an_error()
    {
        var gone = await JwksServer.StartAsync(rsa);
        var url = gone.Url;
        await gone.DisposeAsync();
        var app = await Host(SecuredApp.StartAsync(Settings(("CdsHooks:Issuers:0:JwksUrl", url))));

        using var response = await app.CallAsync(Jws.Sign(Spec(app), rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Logs.Refusals.Should().Equal("KeyNotFound");
        app.Logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Text.StartsWith("Could not fetch the JWKS of CDS Hooks issuer " + Ehr, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_call_without_a_token_gets_a_bare_401_with_a_Bearer_challenge()
    {
        using var response = await sut.CallAsync(null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Bearer");
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().BeEmpty();
        sut.Logs.Refusals.Should().Equal("NoBearerToken");
    }

    [Fact]
    public async Task A_refused_token_gets_the_same_bare_401()
    {
        using var response = await sut.CallAsync(Jws.Sign(Spec() with { Audience = "https://elsewhere.example.org/" }, rsa));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.ToString().Should().Be("Bearer");
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().BeEmpty();
        sut.Logs.Refusals.Should().Equal("WrongAudience");
    }

    [Fact]
    public async Task With_RequireJwt_off_a_call_without_a_token_is_let_through_and_a_warning_is_logged()
    {
        var app = await Host(SecuredApp.StartAsync(Settings(("CdsHooks:RequireJwt", "false"))));

        using var response = await app.CallAsync(null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        app.Logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Text.Contains("RequireJwt is false", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refusals_are_logged_with_reason_and_issuer_but_tokens_never_are()
    {
        var tokens = new[]
        {
            Jws.Sign(Spec(), rsa),
            Jws.Sign(Spec() with { Audience = "https://elsewhere.example.org/" }, rsa),
            Jws.Tamper(Jws.Sign(Spec(), ec), p => new(p) { ["sub"] = "x" }),
            Jws.Sign(Spec() with { Issuer = "https://other-ehr.example.org" }, rsa),
            Jws.Unsigned(Spec()),
            "not-a-jwt",
        };

        foreach (var token in tokens)
        {
            using var response = await sut.CallAsync(token);
        }

        var logged = sut.Logs.AllText;
        logged.Should().Contain("refused (WrongAudience); issuer " + Ehr);
        logged.Should().Contain("refused (IssuerNotAllowed); issuer https://other-ehr.example.org");
        foreach (var token in tokens)
        {
            logged.Should().NotContain(token);
            foreach (var part in token.Split('.').Where(p => p.Length > 0))
            {
                logged.Should().NotContain(part);
            }
        }
    }

    [Theory]
    [InlineData("CdsHooks:Issuers:0:JwksUrl", null, "CdsHooks:Issuers:0:JwksUrl is required")]
    [InlineData("CdsHooks:Issuers:0:JwksUrl", "/jwks.json", "CdsHooks:Issuers:0:JwksUrl must be an absolute http(s) URL")]
    [InlineData("CdsHooks:Issuers:0:JwksUrl", "ftp://ehr.example.org/jwks.json", "CdsHooks:Issuers:0:JwksUrl must be an absolute http(s) URL")]
    [InlineData("CdsHooks:Issuers:0:Issuer", null, "CdsHooks:Issuers:0:Issuer is required")]
    [InlineData("CdsHooks:ClockSkewSeconds", "-1", "ClockSkewSeconds")]
    [InlineData("CdsHooks:MaxTokenLifetimeSeconds", "0", "MaxTokenLifetimeSeconds")]
    [InlineData("CdsHooks:JwksRefreshMinutes", "4", "JwksRefreshMinutes")]
    [InlineData("CdsHooks:JwksMinimumRefreshSeconds", "0", "JwksMinimumRefreshSeconds")]
    public async Task A_misconfigured_issuer_stops_the_host_at_start_and_names_the_key(string key, string? value, string named)
    {
        var start = () => SecuredApp.StartAsync(Settings((key, value)));

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(named);
    }

    [Fact]
    public void Options_have_safe_defaults()
    {
        var options = new CdsHooksSecurityOptions();

        options.RequireJwt.Should().BeTrue();
        options.ClockSkewSeconds.Should().Be(30);
        options.MaxTokenLifetimeSeconds.Should().Be(300);
        options.JwksRefreshMinutes.Should().Be(60);
        options.JwksMinimumRefreshSeconds.Should().Be(30);
        options.Issuers.Should().BeEmpty();
    }

    private TokenSpec Spec(SecuredApp? app = null)
    {
        app ??= sut;
        var now = app.Clock.GetUtcNow();
        return new TokenSpec { Issuer = Ehr, Audience = app.ServiceUrl, IssuedAt = now, Expires = now.AddMinutes(5) };
    }

    private Dictionary<string, string?> Settings(params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CdsHooks:Issuers:0:Issuer"] = Ehr,
            ["CdsHooks:Issuers:0:JwksUrl"] = jwks.Url,
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    private async Task<T> Host<T>(Task<T> starting)
        where T : IAsyncDisposable
    {
        var host = await starting;
        hosts.Add(host);
        return host;
    }
}
