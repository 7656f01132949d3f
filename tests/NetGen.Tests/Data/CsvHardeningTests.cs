using System;
using System.IO;
using System.Text;
using NetGen.Data;

namespace NetGen.Tests.Data;

/// <summary>Values a float cannot hold, fields too long to be numbers, and option values that make no sense.</summary>
public class CsvHardeningTests
{
    private static Dataset Read(string text, CsvOptions? options = null) =>
        CsvReader.Read(new StringReader(text), "test.csv", options);

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e39")]
    [InlineData("-3.5e38")]
    public void NonFiniteFeaturesAreRejectedWithLineColumnAndText(string bad)
    {
        var e = Assert.Throws<InvalidDataException>(() => Read($"a,b,label\n1,2,0\n3,{bad},1\n"));
        Assert.Contains("test.csv: line 3, column 2 ('b')", e.Message);
        Assert.Contains("finite", e.Message);
        Assert.Contains($"'{bad}'", e.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("1e40")]
    public void NonFiniteTargetsAreRejected(string bad)
    {
        var e = Assert.Throws<InvalidDataException>(() => Read($"x,y\n1,{bad}\n", new CsvOptions { LabelKind = LabelKind.Value }));
        Assert.Contains("line 2, column 2 ('y')", e.Message);
        Assert.Contains("finite", e.Message);
    }

    [Fact]
    public void LargestFloatsStillLoad()
    {
        Dataset data = Read("a,label\n3.4028234e38,0\n-3.4028234e38,1\n1e-50,0\n");
        Assert.Equal(new[] { float.MaxValue, -float.MaxValue, 0f }, data.Features.ToArray());
    }

    [Fact]
    public void A20MegabyteDigitStringFailsPromptlyWithAShortMessage()
    {
        // Promptly = without reading the rest of the field: counted in characters consumed, not in (noisy) milliseconds.
        var input = new CountingReader("a,label\n1,0\n" + new string('9', 20_000_000) + ",1\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(input, "test.csv"));
        Assert.Contains("line 3, column 1 ('a')", e.Message);
        Assert.Contains($"at most {CsvOptions.DefaultMaxFieldLength} characters", e.Message);
        Assert.Contains("MaxFieldLength", e.Message);
        Assert.True(e.Message.Length < 400, $"message of {e.Message.Length} characters");
        Assert.True(input.CharsRead < 100_000, $"read {input.CharsRead} characters");
    }

    private sealed class CountingReader(string text) : StringReader(text)
    {
        public long CharsRead { get; private set; }
        public override int Read() { int c = base.Read(); if (c >= 0) CharsRead++; return c; }
        public override int Read(char[] buffer, int index, int count) => Count(base.Read(buffer, index, count));
        public override int Read(Span<char> buffer) => Count(base.Read(buffer));
        public override string? ReadLine() { string? line = base.ReadLine(); CharsRead += line?.Length + 1 ?? 0; return line; }
        private int Count(int n) { CharsRead += n; return n; }
    }

    [Fact]
    public void AnUnclosedQuoteCannotSwallowTheWholeFile()
    {
        var text = new StringBuilder("a,label\n1,0\n\"2");
        for (int i = 0; i < 10_000; i++) text.Append("\n3,1");
        var e = Assert.Throws<InvalidDataException>(() => Read(text.ToString(), new CsvOptions { MaxFieldLength = 1000 }));
        Assert.Contains("line 3, column 1 ('a')", e.Message);
        Assert.Contains("at most 1000 characters", e.Message);
    }

    [Fact]
    public void MaxFieldLengthCanBeRaised()
    {
        string longNumber = "0." + new string('0', 5000) + "1";
        Assert.Throws<InvalidDataException>(() => Read($"a,label\n{longNumber},0\n"));
        Dataset data = Read($"a,label\n{longNumber},0\n", new CsvOptions { MaxFieldLength = 10_000 });
        Assert.Equal(0f, data.Features[0]);
    }

    [Fact]
    public void HugeUnparsableTextIsTruncatedInTheMessage()
    {
        string junk = "x" + new string('7', 3000);
        var e = Assert.Throws<InvalidDataException>(() => Read($"a,label\n{junk},0\n"));
        Assert.Contains("line 2, column 1 ('a')", e.Message);
        Assert.Contains("3001 characters", e.Message);
        Assert.True(e.Message.Length < 400, $"message of {e.Message.Length} characters");
    }

    [Fact]
    public void ARowWithFarTooManyFieldsFailsBeforeItIsSplitWhole()
    {
        string text = "a,b,label\n1,2,0\n" + new string(',', 5_000_000) + "\n";
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Read(text));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("line 3: expected 3 fields (as on line 1), found more", e.Message);
        // Before, ReadLine copied the 10 MB line and the field tables grew to 5 million entries.
        Assert.True(allocated < 4 << 20, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NonPositiveClassCountIsRejected(int classCount)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CsvOptions { ClassCount = classCount });
        Assert.Contains("ClassCount", e.Message);
        Assert.Contains(classCount.ToString(), e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void NonPositiveMaxFieldLengthIsRejected(int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CsvOptions { MaxFieldLength = max });
    }

    [Fact]
    public void ClassNamesMustBeNonEmptyNonNullAndAgreeWithClassCount()
    {
        var e = Assert.Throws<ArgumentException>(() => Read("x,y\n1,a\n", new CsvOptions { ClassNames = [] }));
        Assert.Contains("ClassNames", e.Message);
        e = Assert.Throws<ArgumentException>(() => Read("x,y\n1,a\n", new CsvOptions { ClassNames = ["a", null!] }));
        Assert.Contains("ClassNames[1]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Read("x,y\n1,a\n", new CsvOptions { ClassNames = ["a", "b"], ClassCount = 3 }));
        Assert.Contains("ClassCount 3", e.Message);
        Assert.Contains("2 ClassNames", e.Message);
    }

    [Fact]
    public void LargestClassIdStillGivesAValidClassCount()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("x,y\n1,2147483647\n"));
        Assert.Contains("line 2, column 2 ('y')", e.Message);
        Assert.Contains("[0, 2147483647)", e.Message);
    }

    [Fact]
    public void CrLfAndLoneCrLineBreaksStillCount()
    {
        Dataset data = Read("a,label\r\n1,0\r\n\r\n2,1\r3,0");
        Assert.Equal(new[] { 1f, 2f, 3f }, data.Features.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => Read("a,label\r\n1,0\r\n\r\n\"x\r\ny\",1\r\n"));
        Assert.Contains("line 4, column 1 ('a')", e.Message);
        Assert.Contains("'x\ny'", e.Message);
    }
}
