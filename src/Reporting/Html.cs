namespace OrleansPigmm.Reporting;

/// <summary>Escaping for text in HTML and inline SVG.</summary>
internal static class Html
{
    /// <summary>Escapes the five characters with a meaning in markup; everything else stays as
    /// it is, since the page is UTF-8 (so "W₂²" stays readable in the source).</summary>
    public static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal)
        .Replace("'", "&#39;", StringComparison.Ordinal);
}
