using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansPigmm.Formats.Npy;

/// <summary>Element types this system reads and writes in .npy files (little-endian only).</summary>
public enum NpyElementType
{
    /// <summary>IEEE 754 binary32, NumPy descr <c>&lt;f4</c>.</summary>
    Float32,

    /// <summary>IEEE 754 binary64, NumPy descr <c>&lt;f8</c>.</summary>
    Float64,
}

/// <summary>
/// The header of a NumPy .npy file (format versions 1.0, 2.0 and 3.0): element type, shape and
/// where the C-ordered data starts. See numpy.lib.format for the layout: the magic
/// <c>\x93NUMPY</c>, two version bytes, a little-endian header length (2 bytes in version 1,
/// 4 in versions 2 and 3) and a Python dict literal padded with spaces and a newline.
/// </summary>
public sealed partial record NpyHeader(NpyElementType ElementType, IReadOnlyList<long> Shape, long DataOffset)
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Bytes per element: 4 or 8.</summary>
    public int ElementSize => ElementType == NpyElementType.Float32 ? 4 : 8;

    /// <summary>Product of the shape (1 for a 0-d array).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>Bytes of array data after the header.</summary>
    public long DataLength => checked(ElementCount * ElementSize);

    /// <summary>The shape as NumPy prints it, e.g. <c>(5, 4, 4)</c>.</summary>
    public string ShapeText => Shape.Count == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";

    /// <summary>Reads and validates a header from the start of <paramref name="stream"/>.</summary>
    /// <param name="stream">Positioned at the first byte of the file.</param>
    /// <param name="name">The file name used in error messages.</param>
    /// <exception cref="NpyFormatException">The bytes are not a supported .npy header.</exception>
    public static NpyHeader Read(Stream stream, string name)
    {
        Span<byte> prefix = stackalloc byte[12];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < 10 || !prefix[..6].SequenceEqual(Magic))
        {
            throw new NpyFormatException(name, "is not a NumPy .npy file (the magic string \\x93NUMPY is missing)");
        }
        byte major = prefix[6];
        int headerLength;
        int preambleLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..10]);
            preambleLength = 10;
        }
        else if (major is 2 or 3)
        {
            if (got < 12)
            {
                throw new NpyFormatException(name, "is truncated inside its header");
            }
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..12]);
            if (length > 1 << 24)
            {
                throw new NpyFormatException(name, $"declares an implausible header length of {length} bytes");
            }
            headerLength = (int)length;
            preambleLength = 12;
        }
        else
        {
            throw new NpyFormatException(name, $"uses .npy format version {major}.{prefix[7]}; versions 1.0, 2.0 and 3.0 are supported");
        }

        var header = new byte[headerLength];
        stream.Position = preambleLength;
        if (stream.ReadAtLeast(header, headerLength, throwOnEndOfStream: false) < headerLength)
        {
            throw new NpyFormatException(name, "is truncated inside its header");
        }
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);
        return Parse(text, name, preambleLength + headerLength);
    }

    /// <summary>Writes this header (version 1.0 when it fits, else 2.0), padded so that the
    /// data starts at a multiple of 64 bytes as NumPy does.</summary>
    /// <returns>The header bytes; their length is the data offset.</returns>
    public static byte[] Encode(NpyElementType elementType, IReadOnlyList<long> shape)
    {
        var descr = elementType == NpyElementType.Float32 ? "<f4" : "<f8";
        var shapeText = shape.Count == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        bool version1 = dict.Length + 1 + 10 <= ushort.MaxValue;
        int preamble = version1 ? 10 : 12;
        int total = (preamble + dict.Length + 1 + 63) / 64 * 64;
        var padded = dict.PadRight(total - preamble - 1) + "\n";
        var bytes = new byte[total];
        Magic.CopyTo(bytes);
        bytes[6] = version1 ? (byte)1 : (byte)2;
        bytes[7] = 0;
        if (version1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)padded.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)padded.Length);
        }
        Encoding.Latin1.GetBytes(padded, bytes.AsSpan(preamble));
        return bytes;
    }

    private static NpyHeader Parse(string dict, string name, long dataOffset)
    {
        var descr = DescrPattern().Match(dict);
        var fortran = FortranPattern().Match(dict);
        var shape = ShapePattern().Match(dict);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw new NpyFormatException(name, $"has a malformed header (expected 'descr', 'fortran_order' and 'shape'): {dict.Trim()}");
        }
        var elementType = descr.Groups[1].Value switch
        {
            "<f4" => NpyElementType.Float32,
            "<f8" => NpyElementType.Float64,
            ">f4" or ">f8" => throw new NpyFormatException(name, $"is big-endian (dtype '{descr.Groups[1].Value}'); save it little-endian, e.g. a.astype('<f4')"),
            var other => throw new NpyFormatException(name, $"has dtype '{other}'; only float32 ('<f4') and float64 ('<f8') are supported"),
        };
        if (fortran.Groups[1].Value == "True")
        {
            throw new NpyFormatException(name, "is stored in Fortran order; save it in C order, e.g. np.ascontiguousarray(a)");
        }
        var dims = new List<long>();
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long dim))
            {
                throw new NpyFormatException(name, $"has a malformed shape '({shape.Groups[1].Value})'");
            }
            dims.Add(dim);
        }
        var header = new NpyHeader(elementType, dims, dataOffset);
        try
        {
            _ = header.DataLength;
        }
        catch (OverflowException)
        {
            throw new NpyFormatException(name, $"declares shape {header.ShapeText}, too large to address");
        }
        return header;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
