using System.Reflection;
using NetArchTest.Rules;
using NetCds.Service.Storage;

namespace NetCds.Service.Tests.Architecture;

/// <summary>
/// Inside NetCds.Service the folders depend one way, as the projects do: a feature (a way in or out of the service)
/// uses the shared pieces and never another feature; the shared pieces use no feature and no two of them use each
/// other. The published message contracts (<c>Messaging.Contracts</c>) are shared by definition: they are what
/// features exchange.
/// Issue 19 (deliverable 5): <c>Ingestion</c> is shared, "the way in": every way data enters (HTTP, NDJSON, the bus
/// consumers) and the ingestion engine behind them. It is shared, not a feature, because <c>Subscriptions</c> (a
/// feature: the EHR's notifications) stores what it fetched through the same engine, and one engine for every way in
/// is the point. <c>Messaging</c> is shared too: the bus plumbing (transport, options, start gate, dead letters) and
/// the thin recompute consumer, which every way in relies on; the ways in register their own consumers
/// (<c>BusConsumerRegistration</c>), so the bus code names none of them. <c>Outbox</c> is the one home of the
/// outbox (write, dispatch, retention, backlog). So, for example: Outbox uses Storage and Ops; Records uses Outbox;
/// Messaging uses Records; Ingestion uses Records, Outbox and Messaging, and none of them the reverse (see
/// <see cref="Shared_folders_depend_on_each_other_without_cycles"/>).
/// </summary>
public sealed class FeatureFolderTests
{
    private const string Root = "NetCds.Service.";

    /// <summary>Ways in and out: HTTP surfaces, bus consumers, pages.</summary>
    public static readonly TheoryData<string> Features = new(["CdsHooks", "Eligibility", "Mdt", "Subscriptions"]);

    /// <summary>What features share: the way in, storage, the outbox, the bus, the patient record, cards, FHIR helpers, security, operations.</summary>
    public static readonly TheoryData<string> Shared = new(["Cards", "Demo", "Errors", "Fhir", "Ingestion", "Messaging", "OpenApi", "Ops", "Outbox", "Records", "Security", "Storage"]);

    private static readonly Assembly Service = typeof(StoreContext).Assembly;

    [Theory]
    [MemberData(nameof(Features))]
    public void A_feature_uses_no_other_feature(string feature)
    {
        var others = Features.Select(f => f.Data).Where(f => f != feature);

        FailingTypes(feature, others).Should().BeEmpty($"{feature} may use shared folders only; move what two features need into a shared folder");
    }

    [Theory]
    [MemberData(nameof(Shared))]
    public void A_shared_folder_uses_no_feature(string shared)
    {
        FailingTypes(shared, Features.Select(f => f.Data)).Should().BeEmpty($"{shared} is shared: it cannot depend on a feature");
    }

    [Fact]
    public void Shared_folders_depend_on_each_other_without_cycles()
    {
        var shared = Shared.Select(s => s.Data).ToList();
        var uses = shared.ToDictionary(s => s, s => shared.Where(t => t != s && FailingTypes(s, [t]).Count > 0).ToList());

        Cycles(uses).Should().BeEmpty("shared pieces are layered: a cycle between two folders means one of them holds what belongs to the other");
    }

    [Fact]
    public void The_cycle_check_finds_a_cycle_when_there_is_one()
    {
        Cycles(new() { ["Fhir"] = ["Security"], ["Security"] = ["Fhir"], ["Storage"] = [] }).Should().Contain("Fhir -> Security -> Fhir");
        Cycles(new() { ["Fhir"] = [], ["Security"] = ["Fhir"] }).Should().BeEmpty();
    }

    [Fact]
    public void Every_folder_is_either_a_feature_or_shared()
    {
        var folders = Service.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n.StartsWith(Root, StringComparison.Ordinal))
            .Select(n => n[Root.Length..].Split('.')[0])
            .Distinct();

        folders.Should().BeSubsetOf(Features.Select(f => f.Data).Concat(Shared.Select(s => s.Data)),
            "a new folder has to say which side it is on, so this test keeps guarding it");
    }

    [Fact]
    public void The_test_sees_a_dependency_when_there_is_one()
    {
        // Guards the guard: the subscription notifications are stored through the ingestion engine (a feature using
        // the shared way in), and the thin recompute consumer calls the recompute service (Messaging uses Records).
        FailingTypes("Subscriptions", ["Ingestion"]).Should().Contain(t => t.Contains("NotificationProcessor", StringComparison.Ordinal));
        FailingTypes("Messaging", ["Records"]).Should().Contain(t => t.Contains("RecomputeEligibility", StringComparison.Ordinal));
    }

    /// <summary>Types in <paramref name="folder"/> that use a type of one of <paramref name="forbidden"/> (method bodies included).</summary>
    private static List<string> FailingTypes(string folder, IEnumerable<string> forbidden)
    {
        var forbiddenTypes = Service.GetTypes()
            .Where(t => t.FullName is not null && forbidden.Any(f => InFolder(t, f)) && !IsContract(t))
            .Select(t => t.FullName!)
            .ToArray();
        if (forbiddenTypes.Length == 0)
        {
            return [];
        }

        var result = Types.InAssembly(Service)
            .That().ResideInNamespace(Root + folder)
            .ShouldNot().HaveDependencyOnAny(forbiddenTypes)
            .GetResult();
        return result.FailingTypeNames?.ToList() ?? [];
    }

    /// <summary>Every dependency cycle among the folders, each written as "A -> B -> A".</summary>
    private static List<string> Cycles(Dictionary<string, List<string>> uses)
    {
        var cycles = new List<string>();
        void Walk(string folder, List<string> path)
        {
            foreach (var next in uses[folder])
            {
                var at = path.IndexOf(next);
                if (at >= 0)
                {
                    cycles.Add(string.Join(" -> ", path.Skip(at).Append(next)));
                }
                else
                {
                    Walk(next, [.. path, next]);
                }
            }
        }

        foreach (var folder in uses.Keys)
        {
            Walk(folder, [folder]);
        }

        return [.. cycles.Distinct()];
    }

    private static bool InFolder(Type type, string folder) =>
        type.Namespace is { } ns && (ns == Root + folder || ns.StartsWith(Root + folder + ".", StringComparison.Ordinal));

    private static bool IsContract(Type type) => type.Namespace?.StartsWith(Root + "Messaging.Contracts", StringComparison.Ordinal) == true;
}
