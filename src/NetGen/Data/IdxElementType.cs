namespace NetGen.Data;

/// <summary>The element type byte of an IDX file (third byte of the magic number).</summary>
public enum IdxElementType : byte
{
    /// <summary>Unsigned 8-bit integer (MNIST images and labels).</summary>
    UnsignedByte = 0x08,
    /// <summary>Signed 8-bit integer.</summary>
    SignedByte = 0x09,
    /// <summary>Big-endian signed 16-bit integer.</summary>
    Int16 = 0x0B,
    /// <summary>Big-endian signed 32-bit integer.</summary>
    Int32 = 0x0C,
    /// <summary>Big-endian IEEE 754 single.</summary>
    Single = 0x0D,
    /// <summary>Big-endian IEEE 754 double.</summary>
    Double = 0x0E,
}
