using System.Threading.Tasks;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>
/// Diagnostics written the way Microsoft.CodeAnalysis.Testing reads them: each expected diagnostic marked on its span,
/// and nothing else reported. (DiagnosticsTests and ConvDiagnosticsTests run every case through the same harness.)
/// </summary>
public sealed class MarkupDiagnosticsTests
{
    [Fact]
    public Task NG0001_on_the_class_name() => Harness.VerifyAnalyzerAsync("""
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        public class {|NG0001:Plain|} { }
        """);

    [Fact]
    public Task NG0020_on_the_convolution() => Harness.VerifyAnalyzerAsync("""
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(1, 4, 4)]
        [{|NG0020:Conv2D(2, 5)|}]
        [Dense(2)]
        public partial class Net { }
        """);

    [Fact]
    public Task NG0021_and_NG0009_are_warnings_beside_each_other() => Harness.VerifyAnalyzerAsync("""
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(1, 9, 9)]
        [{|NG0021:Conv2D(2, 2, Stride = 2)|}]
        [{|NG0009:Dense(3, Activation.ReLU, Alpha = 0.5)|}]
        [Dense(1)]
        public partial class Net { }
        """);

    [Fact]
    public Task A_clean_network_reports_nothing() => Harness.VerifyAnalyzerAsync(SnapshotTests.Xor);
}
