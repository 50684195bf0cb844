using NetCds.Domain.Engine;

namespace NetCds.Service.Cards;

public static class TherapyNames
{
    public static string Display(TherapyId therapy) => therapy switch
    {
        TherapyId.Res => "Liver resection",
        TherapyId.Abl => "Thermal ablation",
        TherapyId.Emb => "TAE/TACE",
        TherapyId.Sirt => "Radioembolization (Y-90)",
        TherapyId.Lt => "Liver transplantation",
        TherapyId.Ssa => "Somatostatin analogue",
        TherapyId.Inf => "Interferon-alpha",
        TherapyId.Prrt => "PRRT (Lu-177 DOTATATE)",
        TherapyId.Mibg => "I-131 MIBG therapy",
        TherapyId.Eve => "Everolimus",
        TherapyId.Sun => "Sunitinib",
        TherapyId.Chemo => "Cytotoxic chemotherapy",
        _ => therapy.Code(),
    };

    /// <summary>The review articles, for evidence links (title search, so no guessed identifiers).</summary>
    public static IReadOnlyDictionary<string, string> ArticleTitles { get; } = new Dictionary<string, string>
    {
        ["000"] = "Treatment of Neuroendocrine Tumor Liver Metastases Lewis Hobday 2012",
        ["001"] = "Liver metastases from neuroendocrine tumors Alagusundaramoorthy 2014",
        ["002"] = "Therapy for metastatic pancreatic neuroendocrine tumors Rossi 2013",
        ["003"] = "Liver metastases of neuroendocrine carcinomas interventional treatment Vogl 2009",
        ["004"] = "Neuroendocrine liver metastases Reddy Clary 2010",
    };
}
