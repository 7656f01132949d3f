using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using NetGen.CodeFixes;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>
/// Each code fix, before and after, through Microsoft.CodeAnalysis.Testing: the analyzer must report the marked
/// diagnostics, the fix must produce the fixed code, and the fixed code must report nothing. Sources with two
/// diagnostics also exercise fix-all (document, project, solution), which the harness runs on every test.
/// </summary>
public sealed class CodeFixTests
{
    private static Task Verify<TFix>(string before, string after, string? equivalenceKey = null) where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<NetworkAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = before,
            FixedCode = after,
            CodeActionEquivalenceKey = equivalenceKey,
            CompilerDiagnostics = CompilerDiagnostics.None,
        }.WithNetGen();
        test.FixedState.AdditionalReferences.AddRange(Harness.References);
        return test.RunAsync();
    }

    [Fact]
    public Task NG0001_makes_the_class_partial_with_or_without_modifiers() => Verify<MakePartialFix>("""
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        public sealed class {|NG0001:Plain|} { }

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        class {|NG0001:Bare|} { }
        """, """
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        public sealed partial class Plain { }

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(1)]
        partial class Bare { }
        """);

    [Fact]
    public Task NG0008_gives_the_output_layer_the_activation_the_loss_needs() => Verify<LossMismatchFix>("""
        using NetGen;

        [Network(Loss.CrossEntropy)]
        [Input(4)]
        [Dense(8, Activation.ReLU)]
        [{|NG0008:Dense(3, Activation.LeakyReLU, Alpha = 0.2)|}]
        public partial class Classifier { }

        [Network(Loss.BinaryCrossEntropy)]
        [Input(4)]
        [{|NG0008:Dense(1)|}]
        public partial class Detector { }
        """, """
        using NetGen;

        [Network(Loss.CrossEntropy)]
        [Input(4)]
        [Dense(8, Activation.ReLU)]
        [Dense(3, Activation.Softmax)]
        public partial class Classifier { }

        [Network(Loss.BinaryCrossEntropy)]
        [Input(4)]
        [Dense(1, Activation.Sigmoid)]
        public partial class Detector { }
        """, "NG0008.Activation");

    [Fact]
    public Task NG0008_changes_the_loss_to_fit_the_output_layer() => Verify<LossMismatchFix>("""
        using NetGen;

        [Network(Loss.CrossEntropy)]
        [Input(4)]
        [{|NG0008:Dense(1, Activation.Sigmoid)|}]
        public partial class Detector { }

        [Network(Loss.BinaryCrossEntropy)]
        [Input(4)]
        [{|NG0008:Dense(3, Activation = Activation.Softmax)|}]
        public partial class Classifier { }

        [Network(Loss.CrossEntropy)]
        [Input(4)]
        [{|NG0008:Dense(2)|}]
        public partial class Regressor { }
        """, """
        using NetGen;

        [Network(Loss.BinaryCrossEntropy)]
        [Input(4)]
        [Dense(1, Activation.Sigmoid)]
        public partial class Detector { }

        [Network(Loss.CrossEntropy)]
        [Input(4)]
        [Dense(3, Activation = Activation.Softmax)]
        public partial class Classifier { }

        [Network(Loss.MeanSquaredError)]
        [Input(4)]
        [Dense(2)]
        public partial class Regressor { }
        """, "NG0008.Loss");

    [Fact]
    public Task NG0021_pads_a_strided_convolution_until_its_windows_tile() => Verify<TilingPaddingFix>("""
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(1, 10, 10)]
        [{|NG0021:Conv2D(2, 3, Stride = 3)|}]
        [Dense(1)]
        public partial class First { }

        [Network(Loss.MeanSquaredError)]
        [Input(2, 11, 11)]
        [{|NG0021:Conv2D(4, 2, Stride = 3, Padding = 1, Activation = Activation.ReLU)|}]
        [Dense(1)]
        public partial class Second { }
        """, """
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(1, 10, 10)]
        [Conv2D(2, 3, Stride = 3, Padding = 1)]
        [Dense(1)]
        public partial class First { }

        [Network(Loss.MeanSquaredError)]
        [Input(2, 11, 11)]
        [Conv2D(4, 2, Stride = 3, Padding = 3, Activation = Activation.ReLU)]
        [Dense(1)]
        public partial class Second { }
        """);

    [Fact]
    public Task NG0009_removes_an_ignored_alpha() => Verify<RemoveIgnoredAlphaFix>("""
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [{|NG0009:Dense(4, Activation.ReLU, Alpha = 0.3)|}]
        [{|NG0009:Dense(1, Alpha = 0.5, Name = "out")|}]
        public partial class Net { }
        """, """
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(4, Activation.ReLU)]
        [Dense(1, Name = "out")]
        public partial class Net { }
        """);

    [Fact]
    public Task NG0003_adds_an_input_after_the_network_attribute() => Verify<AddInputFix>("""
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Dense(1)]
        public partial class {|NG0003:Vector|} { }

        namespace Images
        {
            [Network(Loss.MeanSquaredError)]
            [Conv2D(2, 3)]
            [Dense(1)]
            public partial class {|NG0003:Image|} { }
        }
        """, """
        using NetGen;

        [Network(Loss.MeanSquaredError)]
        [Input(1)]
        [Dense(1)]
        public partial class Vector { }

        namespace Images
        {
            [Network(Loss.MeanSquaredError)]
            [Input(1, 28, 28)]
            [Conv2D(2, 3)]
            [Dense(1)]
            public partial class Image { }
        }
        """);
}
