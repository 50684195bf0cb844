using System.IO.Hashing;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NetCds.Fhir.Input;

namespace NetCds.Service.Records;

/// <summary>
/// Stored resources parsed once per version. A recompute maps again only what changed and what must be mapped live;
/// the MDT view and CDS Hooks read whole records: without this each of them re-parsed the whole record. Keyed by
/// type/id and checked against the stored version, so an update, a deletion or a re-creation is never served stale;
/// bounded in bytes (<see cref="IngestionOptions.ParsedResourceBudget"/>, each entry sized by
/// <see cref="EstimatedBytes"/>) so memory stays flat however many patients and however large their resources
/// (issue 19, deliverable 7). The parsed objects are only read (mapping never writes). Resources a CDS client sends
/// are kept here too, keyed by their content (<see cref="ByContent"/>), within the same budget.
/// </summary>
public sealed class ParsedResources(IOptions<IngestionOptions> options) : IDisposable
{
    // Calibrated against the heap (ParsedResourcesMemoryTests): a parsed Firely resource holds about this many bytes
    // per character of its JSON (its element objects, strings and lists), plus a fixed part for the entry.
    private const int BytesPerJsonChar = 6;
    private const int BytesPerEntry = 300;

    /// <summary>The content key's seed, new in each process, so no input can be made to collide ahead of time.</summary>
    private static readonly long ContentSeed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.ParsedResourceBudget(IngestionOptions.GcHeapBytes)) });

    private readonly Func<ReadOnlySpan<byte>, UInt128> _contentHash = static utf8 => XxHash128.HashToUInt128(utf8, ContentSeed);

    /// <summary>
    /// The fingerprints (the low 64 bits of the content hash) of contents sent once and not kept, one per slot, the newest winning
    /// the slot: <see cref="ByContent"/> keeps a content only when it comes a second time. Without this door every
    /// resource never sent again (a new result, another patient) went into the cache and was pushed out by the next:
    /// with all calls distinct, a call's CPU doubled (the GC promoting and collecting what the cache let go) and RSS rose
    /// by 200 MB (issue 20, measured). As many slots as the budget holds resources of about 1 KB of JSON, so a content
    /// is kept only when it came again while what is kept now would still be kept; fixed-size (at most 8 MB), so the
    /// door costs the GC nothing.
    /// </summary>
    private readonly ulong[] _sentOnce = new ulong[BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(options.Value.ParsedResourceBudget(IngestionOptions.GcHeapBytes) / Estimated(1024), 1024, 1 << 20))];

    /// <summary>With another content hash: tests make every content collide, to show a hit is checked byte for byte.</summary>
    internal ParsedResources(IOptions<IngestionOptions> options, Func<ReadOnlySpan<byte>, UInt128> contentHash)
        : this(options) => _contentHash = contentHash;

    /// <summary>About what a resource parsed from <paramref name="json"/> holds in memory, in bytes.</summary>
    public static long EstimatedBytes(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Estimated(json.Length);
    }

    /// <summary>The parsed resource when <paramref name="key"/> is held at exactly <paramref name="version"/>.</summary>
    public bool TryGet(string key, long version, out Resource? resource)
    {
        if (_cache.TryGetValue(key, out Entry? entry) && entry!.Version == version)
        {
            resource = entry.Resource;
            return true;
        }

        resource = null;
        return false;
    }

    /// <summary>The stored JSON of <paramref name="key"/> at <paramref name="version"/>, parsed (null when it is not FHIR).</summary>
    public Resource? Get(string key, long version, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (TryGet(key, version, out var held))
        {
            return held;
        }

        var resource = FhirInput.Parse(json).Resource;
        _cache.Set(key, new Entry(version, resource), new MemoryCacheEntryOptions { Size = EstimatedBytes(json), SlidingExpiration = TimeSpan.FromHours(1) });
        return resource;
    }

    /// <summary>
    /// A resource a CDS client sent (a prefetch entry), parsed once per content: an EHR sends the same resources again
    /// each time a chart is opened, and parsing them was nearly half of a hook call's CPU (issue 20). Found by a 128-bit
    /// XxHash of the exact bytes, seeded at random per process, and served only when the held bytes equal the sent
    /// ones: a colliding input (crafted or not) is parsed as itself and can never stand in for another. A content is
    /// kept from its second sending on (see <see cref="_sentOnce"/>), and only when it parsed: a failure is parsed again,
    /// and reported, each time it is sent. (A SHA-256 per entry cost about 5 % of a call's CPU, most of it OpenSSL's fixed
    /// cost per call for 100 small inputs: measured.)
    /// </summary>
    public ParseResult ByContent(JsonElement value)
    {
        var utf8 = JsonMarshal.GetRawUtf8Value(value);
        var hash = _contentHash(utf8);
        if (_cache.TryGetValue(hash, out Entry? entry) && entry!.Json.AsSpan().SequenceEqual(utf8))
        {
            return new ParseResult(entry.Resource, null);
        }

        var parsed = FhirInput.Parse(value);
        var fingerprint = (ulong)hash;
        var sentBefore = Interlocked.Exchange(ref _sentOnce[(int)(fingerprint & (ulong)(_sentOnce.Length - 1))], fingerprint) == fingerprint;
        if (parsed.Resource is not null && sentBefore)
        {
            // The bytes are kept to check a hit against: about a seventh of what the parsed resource holds.
            _cache.Set(hash, new Entry(0, parsed.Resource, utf8.ToArray()), new MemoryCacheEntryOptions { Size = Estimated(utf8.Length) + utf8.Length, SlidingExpiration = TimeSpan.FromHours(1) });
        }

        return parsed;
    }

    public void Dispose() => _cache.Dispose();

    private static long Estimated(long jsonLength) => BytesPerEntry + (BytesPerJsonChar * jsonLength);

    private sealed record Entry(long Version, Resource? Resource, byte[]? Json = null);
}
