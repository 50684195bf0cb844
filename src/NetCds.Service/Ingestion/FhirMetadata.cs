using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using NetCds.Service.Fhir;
using NetCds.Service.Security;

namespace NetCds.Service.Ingestion;

/// <summary>
/// <c>GET /fhir/metadata</c>: the service's R4 CapabilityStatement (FHIR R4 §3.1.0 CapabilityStatement, RESTful
/// capabilities). Public, as the FHIR specification expects of <c>metadata</c>: it says what is accepted, never
/// anything about patients.
/// </summary>
public static class FhirMetadata
{
    public const string SubscriptionsBackportIg = "http://hl7.org/fhir/uv/subscriptions-backport/ImplementationGuide/hl7.fhir.uv.subscriptions-backport";

    /// <summary>The clinical types the engine reads; any other valid resource type is stored but plays no part.</summary>
    public static readonly string[] ClinicalTypes = ["Patient", "Observation", "Condition", "Procedure", "MedicationStatement", "MedicationRequest"];

    private static readonly Bundle.BundleType[] AcceptedBundles =
    [
        Bundle.BundleType.Transaction, Bundle.BundleType.Batch, Bundle.BundleType.Collection,
        Bundle.BundleType.Message, Bundle.BundleType.History, Bundle.BundleType.Searchset,
    ];

    public static IEndpointRouteBuilder MapFhirMetadata(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/fhir/metadata", (IOptions<ServiceOptions> service, IOptions<FhirOptions> fhir) =>
                FhirResults.Resource(Build(service.Value.BaseUrl, fhir.Value), StatusCodes.Status200OK))
            .WithTags("Ingestion")
            .AllowAnonymous()
            .ProducesFhir(StatusCodes.Status200OK);
        return app;
    }

    public static CapabilityStatement Build(string baseUrl, FhirOptions fhir)
    {
        ArgumentNullException.ThrowIfNull(fhir);
        var bundleTypes = string.Join(", ", AcceptedBundles.Select(t => Hl7.Fhir.Utility.EnumUtility.GetLiteral(t)));
        var server = new CapabilityStatement.RestComponent
        {
            Mode = CapabilityStatement.RestfulCapabilityMode.Server,
            Documentation = $"Receives clinical data for eligibility: POST {baseUrl}/fhir takes a resource or a Bundle ({bundleTypes}; a history Bundle may be a Subscriptions Backport notification with full resources); POST /fhir/[type], PUT /fhir/[type]/[id], DELETE /fhir/[type]/[id]. Requests up to {fhir.MaxRequestBytes} bytes. Reads of clinical data are not offered: reports are at GET /eligibility/[patient] (our JSON, or with Accept: application/fhir+json a collection Bundle of GuidanceResponses, as POST /eligibility/$evaluate); the rule catalogue is read as PlanDefinitions (GET /fhir/PlanDefinition, GET /fhir/PlanDefinition/[id]).",
            Security = Security(),
            Interaction =
            [
                new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction },
                new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Batch },
            ],
            Resource = [.. ClinicalTypes.Select(Accepted), Knowledge(), Results()],
        };

        // This service subscribes (Subscriptions Backport IG 1.1, R4): it creates Subscriptions on an EHR and
        // receives their rest-hook notifications.
        var subscriber = new CapabilityStatement.RestComponent
        {
            Mode = CapabilityStatement.RestfulCapabilityMode.Client,
            Documentation = $"Subscriber (Subscriptions Backport IG 1.1, R4): creates, reads and deletes topic-based Subscriptions on an EHR's FHIR server and receives rest-hook notifications (handshake, heartbeat, event-notification, query-status; payload empty, id-only or full-resource) at {baseUrl}/subscriptions/[name]/notifications, authenticated by the Subscription's channel header. Missed events are recovered with Subscription/[id]/$events, else by re-query. Reads of focus resources use SMART Backend Services (client-credentials grant, RS384/ES384 client assertion).",
            Resource =
            [
                new CapabilityStatement.ResourceComponent
                {
                    Type = ResourceType.Subscription.ToString(),
                    SupportedProfile = ["http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription"],
                    Interaction = [Interaction(CapabilityStatement.TypeRestfulInteraction.Create), Interaction(CapabilityStatement.TypeRestfulInteraction.Read), Interaction(CapabilityStatement.TypeRestfulInteraction.Delete)],
                    Operation = [new CapabilityStatement.OperationComponent { Name = "events", Definition = "http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-events" }],
                },
            ],
        };

        return new CapabilityStatement
        {
            Status = PublicationStatus.Active,
            Date = "2026-11-27",
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent { Name = "NetCds" },
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "NetCds: decision support for neuroendocrine tumour liver metastases", Url = $"{baseUrl}/fhir" },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["application/fhir+json", "json"],
            ImplementationGuide = [SubscriptionsBackportIg],
            Rest = [server, subscriber],
        };
    }

    private static CapabilityStatement.ResourceComponent Accepted(string type) => new()
    {
        Type = type,
        Interaction =
        [
            Interaction(CapabilityStatement.TypeRestfulInteraction.Create),
            Interaction(CapabilityStatement.TypeRestfulInteraction.Update),
            Interaction(CapabilityStatement.TypeRestfulInteraction.Delete),
        ],
        Versioning = CapabilityStatement.ResourceVersionPolicy.Versioned,
        UpdateCreate = true,
        Documentation = $"Needs scope system/{type}.write (v1), or system/{type}.c to create and .u to update (v2; .d to delete).",
    };

    /// <summary>The rule catalogue, one eca-rule PlanDefinition per therapy generated from the code (issue 21).</summary>
    private static CapabilityStatement.ResourceComponent Knowledge() => new()
    {
        Type = "PlanDefinition",
        SupportedProfile = [NetCds.Fhir.Knowledge.NetCdsCanonicals.PlanDefinitionProfile],
        Interaction = [Interaction(CapabilityStatement.TypeRestfulInteraction.Read), Interaction(CapabilityStatement.TypeRestfulInteraction.SearchType)],
        SearchParam =
        [
            new CapabilityStatement.SearchParamComponent { Name = "_id", Type = SearchParamType.Token },
            new CapabilityStatement.SearchParamComponent { Name = "url", Type = SearchParamType.Uri },
            new CapabilityStatement.SearchParamComponent { Name = "version", Type = SearchParamType.Token },
        ],
        Versioning = CapabilityStatement.ResourceVersionPolicy.NoVersion,
        Documentation = "The rule catalogue: one eca-rule PlanDefinition per therapy, generated from the code with this site's thresholds; version = the rules version. Needs scope system/PlanDefinition.read (v1) or system/PlanDefinition.rs (v2). Other search parameters are refused (400).",
    };

    /// <summary>Results are not a REST type of their own: they answer the eligibility routes when FHIR is asked for.</summary>
    private static CapabilityStatement.ResourceComponent Results() => new()
    {
        Type = "GuidanceResponse",
        SupportedProfile = [NetCds.Fhir.Knowledge.NetCdsCanonicals.GuidanceResponseProfile],
        Documentation = "Not stored or searched: GET /eligibility/[patient] and POST /eligibility/$evaluate with Accept: application/fhir+json answer a collection Bundle with one GuidanceResponse per therapy (with its output Parameters, and an OperationOutcome and DetectedIssues for contraindications). Needs Patient read, as the JSON report.",
    };

    private static CapabilityStatement.ResourceInteractionComponent Interaction(CapabilityStatement.TypeRestfulInteraction code) => new() { Code = code };

    /// <summary>The API's SMART scopes, as <see cref="SmartScopes"/> grants them.</summary>
    private static CapabilityStatement.SecurityComponent Security() => new()
    {
        Cors = false,
        Service =
        [
            new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR"),
            new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "OAuth", "OAuth"),
        ],
        Description = "Bearer access tokens (RFC 9068 JWT, typ at+jwt) from a configured authorization server, audience the service's public URL. "
            + "SMART Backend Services system scopes: v1 system/[type].read | .write | .*, or v2 system/[type].[cruds] (letters in that order; [type] may be *). "
            + "A v2 scope with a query (?category=...) grants nothing here. A write needs create for what is not stored yet and update for what is (write, or c and u); DELETE needs delete (write, or d); GET /eligibility/[patient] (either format) and POST /eligibility/$evaluate need Patient read; GET /fhir/PlanDefinition needs PlanDefinition read. "
            + "GET /fhir/metadata is public. Subscription notifications authenticate with their channel header instead.",
    };
}
