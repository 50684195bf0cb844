using System.ComponentModel.DataAnnotations;

namespace NetCds.Service.Mdt;

/// <summary>Configuration section <c>Mdt</c>.</summary>
public sealed class MdtViewOptions
{
    public const string Section = "Mdt";

    /// <summary>
    /// Most MDT views prepared at once; more wait their turn (up to <see cref="QueuedViews"/>, within
    /// the request timeout). A view parses and maps the patient's whole record, its memory in proportion to the record:
    /// eight concurrent views of 26,000-resource records took the process from about 400 to 885 MB, and under a 192 MiB
    /// heap cap three of four concurrent ones failed for want of memory (docs/performance.md, twelfth session). A tumour
    /// board opens one view at a time.
    /// </summary>
    [Range(1, 64)]
    public int ConcurrentViews { get; init; } = 2;

    /// <summary>Most MDT views waiting for a turn; one more is answered 503 with Retry-After.</summary>
    [Range(0, 10_000)]
    public int QueuedViews { get; init; } = 100;
}
