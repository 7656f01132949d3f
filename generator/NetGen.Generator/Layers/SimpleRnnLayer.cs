using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;

namespace NetGen.Generator.Layers;

/// <summary>
/// [SimpleRNN(units, activation)]: h_t = f(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), f tanh by default (nn.RNN's
/// nonlinearity: tanh or ReLU). Runs on SimpleRnnKernels: one product for every step's input projection, one recurrent
/// product and the activation per step; backward through time in reverse.
/// </summary>
internal sealed record SimpleRnnLayer(int Units, ActivationKind ActivationKind, bool ReturnSequences, InitKind Init, bool Stateful, bool IsTrainable, string? Name, LocationInfo? Location)
    : RecurrentLayer(Units, ReturnSequences, Init, Stateful, IsTrainable, Name, Location)
{
    public override string Kind => "SimpleRNN";
    protected override int Gates => 1;
    protected override RecurrentCell Cell => RecurrentCell.Simple;
    protected override ActivationKind CellActivation => ActivationKind;

    public override string Describe() => Options(ActivationKind == ActivationKind.Tanh ? "" : ", " + ActivationKind);

    public static SimpleRnnLayer Parse(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        var (units, sequences, init, stateful, trainable, name) = ParseCommon("SimpleRNN", reader, location, diagnostics);
        var activation = (ActivationKind)reader.Int(1, (int)ActivationKind.Tanh);
        if (activation is not (ActivationKind.Tanh or ActivationKind.ReLU))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, name is null ? $"SimpleRNN({units})" : $"SimpleRNN '{name}'",
                $"the activation must be Tanh or ReLU (nn.RNN's nonlinearities), but is {activation}"));
            activation = ActivationKind.Tanh;
        }
        return new SimpleRnnLayer(units, activation, sequences, init, stateful, trainable, name, location);
    }
}
