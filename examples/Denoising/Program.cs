using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using NetGen;
using NetGen.Data;

// A denoising autoencoder on Fashion-MNIST: MaskingNoise zeroes a share of the pixels in training only, and the
// network learns to give back the clean image. At the end it is shown images it never saw, corrupted the same way,
// and writes a PNG grid: noisy (top row), reconstructed (middle), clean (bottom).
//
//   dotnet run -c Release --project examples/Denoising -- [--epochs 5] [--noise 0.5] [--seed 1] [--png denoising.png]
var options = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
int epochs = int.Parse(options.GetValueOrDefault("epochs", "5"), CultureInfo.InvariantCulture);
float noise = float.Parse(options.GetValueOrDefault("noise", "0.5"), CultureInfo.InvariantCulture);
int seed = int.Parse(options.GetValueOrDefault("seed", "1"), CultureInfo.InvariantCulture);
string png = options.GetValueOrDefault("png", "denoising.png");
if (Math.Abs(noise - 0.5f) > 1e-6f) Console.WriteLine("note: the network's MaskingNoise rate is fixed at 0.5 by its declaration; --noise sets only the test corruption");
string data = Directory.Exists("/usr/share/datasets/fashion-mnist")
    ? "/usr/share/datasets/fashion-mnist"
    : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "FashionMnist", "data");
var train = IdxReader.LoadDataset(Path.Combine(data, "train-images-idx3-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"));
var test = IdxReader.LoadDataset(Path.Combine(data, "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "t10k-labels-idx1-ubyte.gz"));
float[] images = train.Features.ToArray();

var net = new DenoisingAutoencoder(seed);
var adam = new Adam(1e-3f);
const int Batch = 64;
for (int epoch = 1; epoch <= epochs; epoch++)
{
    double sum = 0;
    int batches = 0;
    for (int start = 0; start + Batch <= train.Count; start += Batch, batches++)
    {
        var x = images.AsSpan(start * 784, Batch * 784);
        sum += net.TrainBatch(x, x, Batch); // the target is the clean image; the noise layer corrupts the input
        adam.Step(net);
    }
    Console.WriteLine($"epoch {epoch}: training loss {sum / batches:F3} (binary cross-entropy summed over 784 pixels)");
}

// Test images, corrupted as in training (a fixed seed), then cleaned by the network.
const int Shown = 10;
var clean = test.Features.Slice(0, Shown * 784).ToArray();
var noisy = (float[])clean.Clone();
var random = new DeterministicRandom((ulong)seed + 99);
for (int i = 0; i < noisy.Length; i++) if (random.NextSingle() < noise) noisy[i] = 0f;
var restored = new float[clean.Length];
net.Predict(noisy, restored, Shown);
Console.WriteLine($"mean squared pixel error on {Shown} test images: noisy {Mse(noisy, clean):F4}, reconstructed {Mse(restored, clean):F4}");
WriteGrid(png, new[] { noisy, restored, clean }, Shown);
Console.WriteLine($"wrote {Path.GetFullPath(png)}: noisy (top), reconstructed (middle), clean (bottom)");
return 0;

static double Mse(float[] a, float[] b)
{
    double s = 0;
    for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (double)(a[i] - b[i]);
    return s / a.Length;
}

// Rows of 28×28 images, 2 pixels apart, as an 8-bit grayscale PNG (signature, IHDR, one zlib IDAT, IEND).
static void WriteGrid(string path, float[][] rows, int count)
{
    const int Size = 28, Gap = 2;
    int width = count * (Size + Gap) + Gap, height = rows.Length * (Size + Gap) + Gap;
    var pixels = new byte[height * (width + 1)]; // each scanline starts with filter byte 0
    for (int r = 0; r < rows.Length; r++)
        for (int k = 0; k < count; k++)
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                {
                    float v = Math.Clamp(rows[r][k * 784 + y * Size + x], 0f, 1f);
                    int py = Gap + r * (Size + Gap) + y, px = Gap + k * (Size + Gap) + x;
                    pixels[py * (width + 1) + 1 + px] = (byte)(255 - (int)MathF.Round(v * 255)); // dark garments on white
                }
    for (int py = 0; py < height; py++) // the gaps white too
        for (int px = 0; px < width; px++)
        {
            bool inImage = (px - Gap) % (Size + Gap) < Size && px >= Gap && (py - Gap) % (Size + Gap) < Size && py >= Gap;
            if (!inImage) pixels[py * (width + 1) + 1 + px] = 255;
        }
    using var compressed = new MemoryStream();
    using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(pixels);
    using var file = new MemoryStream();
    file.Write(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 });
    var header = new byte[13];
    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
    header[8] = 8; // bit depth; colour type 0 (grayscale), compression 0, filter 0, interlace 0
    Chunk(file, "IHDR", header);
    Chunk(file, "IDAT", compressed.ToArray());
    Chunk(file, "IEND", Array.Empty<byte>());
    string temporary = path + ".tmp";
    File.WriteAllBytes(temporary, file.ToArray());
    File.Move(temporary, path, overwrite: true);
}

static void Chunk(Stream s, string type, byte[] body)
{
    var length = new byte[4];
    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, body.Length);
    s.Write(length);
    var typed = new byte[4 + body.Length];
    System.Text.Encoding.ASCII.GetBytes(type, typed);
    body.CopyTo(typed, 4);
    s.Write(typed);
    var crc = new byte[4];
    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
    s.Write(crc);
}

// PNG's CRC-32 (IEEE, reflected 0xEDB88320), bit by bit: a few kilobytes, once.
static uint Crc32(byte[] data)
{
    uint c = 0xFFFFFFFF;
    foreach (byte b in data)
    {
        c ^= b;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

[Network(Loss.BinaryCrossEntropy)]
[Input(784)]
[MaskingNoise(0.5)]
[Dense(256, Activation.ReLU)]
[Dense(784, Activation.Sigmoid)]
public partial class DenoisingAutoencoder { }
