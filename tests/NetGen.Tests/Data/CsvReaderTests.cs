using System.IO;
using NetGen.Data;

namespace NetGen.Tests.Data;

public class CsvReaderTests
{
    private static Dataset Read(string text, CsvOptions? options = null) =>
        CsvReader.Read(new StringReader(text), "test.csv", options);

    [Fact]
    public void HeaderWithNumericLabelInLastColumn()
    {
        Dataset data = Read("a,b,label\n1,2.5,0\n-3,4e2,2\n");
        Assert.Equal(2, data.Count);
        Assert.Equal(2, data.FeatureSize);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal(new[] { 1f, 2.5f, -3f, 400f }, data.Features.ToArray());
        Assert.Equal(new[] { 0, 2 }, data.Labels.ToArray());
        Assert.Null(data.ClassNames);
    }

    [Fact]
    public void NoHeaderLabelByIndex()
    {
        Dataset data = Read("1,0.5,0.25\n0,1,2\n", new CsvOptions { HasHeader = false, LabelColumnIndex = 0 });
        Assert.Equal(2, data.Count);
        Assert.Equal(new[] { 0.5f, 0.25f, 1f, 2f }, data.Features.ToArray());
        Assert.Equal(new[] { 1, 0 }, data.Labels.ToArray());
    }

    [Fact]
    public void LabelByNameWithClassNamesInOrderOfFirstAppearance()
    {
        const string csv = "sepal,species,petal\n5.1,setosa,1.4\n7.0,versicolor,4.7\n5.0,setosa,1.5\n6.3,virginica,6.0\n";
        Dataset data = Read(csv, new CsvOptions { LabelColumn = "species" });
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, data.ClassNames);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal(new[] { 0, 1, 0, 2 }, data.Labels.ToArray());
        Assert.Equal(new[] { 5.1f, 1.4f }, data.GetFeatures(0).ToArray());
    }

    [Fact]
    public void GivenClassNamesFixTheIds()
    {
        Dataset data = Read("x,y\n1,cat\n2,dog\n", new CsvOptions { ClassNames = ["dog", "cat", "bird"] });
        Assert.Equal(new[] { 1, 0 }, data.Labels.ToArray());
        Assert.Equal(3, data.ClassCount);
        var e = Assert.Throws<InvalidDataException>(() => Read("x,y\n1,cow\n", new CsvOptions { ClassNames = ["dog"] }));
        Assert.Contains("line 2, column 2 ('y')", e.Message);
        Assert.Contains("'cow'", e.Message);
    }

    [Fact]
    public void RegressionTarget()
    {
        Dataset data = Read("x;y\n1;2.5\n3;-1\n", new CsvOptions { Separator = ';', LabelKind = LabelKind.Value });
        Assert.False(data.HasLabels);
        Assert.Equal(1, data.TargetSize);
        Assert.Equal(new[] { 2.5f, -1f }, data.Targets.ToArray());
    }

    [Fact]
    public void QuotedFieldsWithSeparatorsQuotesAndLineBreaks()
    {
        const string csv = "\"a, first\",b,label\n\"1.5\",2,\"New York, NY\"\n3,\" 4 \",\"say \"\"hi\"\"\nthere\"\n";
        Dataset data = Read(csv);
        Assert.Equal(new[] { 1.5f, 2f, 3f, 4f }, data.Features.ToArray());
        Assert.Equal(new[] { "New York, NY", "say \"hi\"\nthere" }, data.ClassNames);
    }

    [Fact]
    public void UnparsableCellGivesLineColumnNameAndText()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,b,label\n1,2,0\n3,abc,1\n"));
        Assert.Contains("test.csv: line 3, column 2 ('b')", e.Message);
        Assert.Contains("'abc'", e.Message);
    }

    [Fact]
    public void LinesCountBlankLinesAndQuotedBreaks()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,label\n\n\"1\n\",0\n1,0\nx,1\n"));
        Assert.Contains("line 6, column 1 ('a')", e.Message);
    }

    [Fact]
    public void NumericThenTextLabelIsAnError()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,label\n1,0\n2,cat\n"));
        Assert.Contains("line 3, column 2 ('label')", e.Message);
        Assert.Contains("integer class id", e.Message);
    }

    [Fact]
    public void RaggedRowGivesLineNumber()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("a,b,label\n1,2,0\n3,1\n"));
        Assert.Contains("line 3: expected 3 fields (as on line 1), found 2", e.Message);
    }

    [Fact]
    public void UnknownLabelColumnListsColumns()
    {
        // The file lacks what the options ask for: a content error, like every other.
        var e = Assert.Throws<InvalidDataException>(() => Read("a,b\n1,2\n", new CsvOptions { LabelColumn = "c" }));
        Assert.Contains("test.csv: line 1: expected a label column named 'c'", e.Message);
        Assert.Contains("a, b", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Read("a,b\n1,2\n", new CsvOptions { LabelColumnIndex = 5 }));
        Assert.Contains("test.csv: line 1: expected a column at LabelColumnIndex 5, found 2 columns", e.Message);
    }

    [Fact]
    public void ManyRowsGrowTheBuffers()
    {
        var text = new System.Text.StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 5000; i++) text.Append(i).Append(',').Append(i * 0.5).Append(',').Append(i % 3).Append('\n');
        Dataset data = Read(text.ToString());
        Assert.Equal(5000, data.Count);
        Assert.Equal(4999 * 0.5f, data.GetFeatures(4999)[1]);
        Assert.Equal(4999 % 3, data.GetLabel(4999));
    }
}
