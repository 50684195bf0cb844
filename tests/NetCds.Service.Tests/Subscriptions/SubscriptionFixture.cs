using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using NetCds.Service.Storage;
using NetCds.Service.Tests.CdsHooks.Support;
using NetCds.Service.Tests.Support;
using static NetCds.Service.Tests.Pipeline.PipelineSupport;

namespace NetCds.Service.Tests.Subscriptions;

/// <summary>
/// The service on the embedded default (SQLite, in-memory bus), subscribed to two fake EHR FHIR servers (real Kestrel
/// apps on loopback): <see cref="Ehr"/> for most subscriptions, <see cref="FailingEhr"/> for the ones whose server
/// fails, so its failures never open the circuit of the others. Each test uses a subscription of its own
/// (<c>ehr0</c>...), so event numbers never mix.
/// </summary>
public sealed class SubscriptionFixture : ServiceFactory, IAsyncLifetime
{
    public const string Topic = "http://hl7.org/SubscriptionTopic/admission";
    public const string ClientId = "netcds-subscriber";
    public const string KeyId = "netcds-key-1";
    public const string Filter = "Observation?code=http://loinc.org|9811-1";
    public const string Header = "X-NetCds-Subscription-Token";
    public const string AccessToken = "ehr-access-token-1";
    public const int Count = 15;

    /// <summary>Subscriptions on <see cref="FailingEhr"/>.</summary>
    public static readonly string[] OnFailingEhr = ["ehr8", "ehr9"];

    public RSA ClientKey { get; } = RSA.Create(2048);

    /// <summary>A secret made per run, as a site would keep it in the environment.</summary>
    public string NotificationToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public FakeFhirServer Ehr { get; private set; } = null!;

    public FakeFhirServer FailingEhr { get; private set; } = null!;

    public string TokenUrl => Ehr.BaseUri + "/token";

    public async ValueTask InitializeAsync()
    {
        Ehr = await FakeFhirServer.StartAsync();
        FailingEhr = await FakeFhirServer.StartAsync();
        var token = $$"""{"access_token":"{{AccessToken}}","token_type":"bearer","expires_in":300,"scope":"system/*.read"}""";
        Ehr.On("token", FakeReply.Ok(token));
        FailingEhr.On("token", FakeReply.Ok(token));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Ehr.DisposeAsync();
        await FailingEhr.DisposeAsync();
        ClientKey.Dispose();
    }

    public FakeFhirServer ServerOf(string name) => OnFailingEhr.Contains(name) ? FailingEhr : Ehr;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("SubscriptionFetch:MessageRetries", "2");
        for (var i = 0; i < Count; i++)
        {
            var name = $"ehr{i}";
            var server = ServerOf(name);
            var key = $"Subscriptions:{i}:";
            builder.UseSetting(key + "Name", name);
            builder.UseSetting(key + "ServerBaseUrl", server.BaseUri.ToString());
            builder.UseSetting(key + "Topic", Topic);
            builder.UseSetting(key + "FilterCriteria:0", Filter);
            builder.UseSetting(key + "NotificationToken", NotificationToken);
            builder.UseSetting(key + "ClientId", ClientId);
            builder.UseSetting(key + "KeyId", KeyId);
            builder.UseSetting(key + "TokenUrl", server.BaseUri + "/token");
            builder.UseSetting(key + "PrivateKeyPem", ClientKey.ExportPkcs8PrivateKeyPem());
        }
    }

    /// <summary>An IG example notification, its server base (<c>https://example.org/fhir</c>) replaced by the fake EHR's.</summary>
    public string Example(string file) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Subscriptions", "IgExamples", file))
            .Replace("https://example.org/fhir", Ehr.BaseUri.ToString(), StringComparison.Ordinal);

    /// <summary>POSTs a notification to a subscription's channel, with the channel header unless told otherwise.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> NotifyAsync(string name, string json, string? header = null)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/subscriptions/{name}/notifications", UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/fhir+json"),
        };
        request.Headers.Add(Header, header ?? NotificationToken);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>The subscription has already accounted for events 1 to <paramref name="accounted"/> (as after earlier notifications).</summary>
    public Task SeenAsync(string name, long accounted, DateTimeOffset? lastEventAt = null) =>
        QueryAsync(Services, async store =>
        {
            store.Subscriptions.Add(new SubscriptionState { Name = name, EventsAccountedFor = accounted, LastEventAt = lastEventAt ?? TestClock.Now.AddHours(-1), UpdatedAt = TestClock.Now });
            return await store.SaveChangesAsync(TestContext.Current.CancellationToken);
        });

    public Task<SubscriptionState?> StateAsync(string name) =>
        QueryAsync(Services, store => store.Subscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, TestContext.Current.CancellationToken));

    /// <summary>Polls the subscription's state until <paramref name="done"/> holds (bounded wait).</summary>
    public Task<SubscriptionState?> StateAsync(string name, Func<SubscriptionState, bool> done) =>
        EventuallyAsync(() => StateAsync(name), s => s is not null && done(s));
}

/// <summary>Notification Bundles built for a test, in the IG's shape (IG 1.1, backport-subscription-notification-r4).</summary>
internal static class Notifications
{
    /// <summary>An event notification: <paramref name="events"/> as (number, focus or null), resources appended for full-resource.</summary>
    public static string Event(string subscription, IEnumerable<(long Number, string? Focus)> events, string type = "event-notification", long? since = null, params JsonObject[] resources)
    {
        var list = events.ToList();
        var parameters = new JsonArray
        {
            new JsonObject { ["name"] = "subscription", ["valueReference"] = new JsonObject { ["reference"] = subscription } },
            new JsonObject { ["name"] = "topic", ["valueCanonical"] = SubscriptionFixture.Topic },
            new JsonObject { ["name"] = "status", ["valueCode"] = "active" },
            new JsonObject { ["name"] = "type", ["valueCode"] = type },
            new JsonObject { ["name"] = "events-since-subscription-start", ["valueString"] = (since ?? (list.Count > 0 ? list.Max(e => e.Number) : 0)).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        foreach (var (number, focus) in list)
        {
            var parts = new JsonArray
            {
                new JsonObject { ["name"] = "event-number", ["valueString"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                new JsonObject { ["name"] = "timestamp", ["valueInstant"] = TestClock.Now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture) },
            };
            if (focus is not null)
            {
                parts.Add(new JsonObject { ["name"] = "focus", ["valueReference"] = new JsonObject { ["reference"] = focus } });
            }

            parameters.Add(new JsonObject { ["name"] = "notification-event", ["part"] = parts });
        }

        var entries = new JsonArray { new JsonObject { ["fullUrl"] = $"urn:uuid:{Guid.NewGuid()}", ["resource"] = new JsonObject { ["resourceType"] = "Parameters", ["parameter"] = parameters } } };
        foreach (var resource in resources)
        {
            entries.Add(new JsonObject { ["fullUrl"] = $"{resource["resourceType"]}/{resource["id"]}", ["resource"] = resource });
        }

        return new JsonObject { ["resourceType"] = "Bundle", ["type"] = "history", ["timestamp"] = TestClock.Now.ToString("o", System.Globalization.CultureInfo.InvariantCulture), ["entry"] = entries }.ToJsonString();
    }

    /// <summary>A chromogranin A result (LOINC 9811-1) for a patient.</summary>
    public static JsonObject Chromogranin(string id, string patientId, decimal value, string date) => new()
    {
        ["resourceType"] = "Observation",
        ["id"] = id,
        ["status"] = "final",
        ["category"] = new JsonArray(new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/observation-category", ["code"] = "laboratory" }) }),
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "9811-1" }) },
        ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
        ["effectiveDateTime"] = date,
        ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = "ng/mL", ["system"] = "http://unitsofmeasure.org", ["code"] = "ng/mL" },
    };

    public static string Searchset(params JsonObject[] resources) => new JsonObject
    {
        ["resourceType"] = "Bundle",
        ["type"] = "searchset",
        ["entry"] = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject { ["resource"] = r.DeepClone() })]),
    }.ToJsonString();
}
