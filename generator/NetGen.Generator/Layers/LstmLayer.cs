using System.Collections.Generic;
using NetGen.Generator.Helpers;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers;

/// <summary>
/// [LSTM(units)]: gates i, f, g, o from a = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh (rows in that order, nn.LSTM's);
/// c_t = σ(a_f)·c_{t−1} + σ(a_i)·tanh(a_g), h_t = σ(a_o)·tanh(c_t). Runs on LstmKernels: one product for every step's
/// input projection, then per step one recurrent product and one fused gate-and-cell pass; backward through time the same
/// way in reverse. ForgetGateBias, when given, sets the forget gate's starting bias (b_ih's forget rows, b_hh's zero).
/// </summary>
internal sealed record LstmLayer(int Units, bool ReturnSequences, InitKind Init, bool Stateful, double? ForgetGateBias, bool IsTrainable, string? Name, LocationInfo? Location)
    : RecurrentLayer(Units, ReturnSequences, Init, Stateful, IsTrainable, Name, Location)
{
    public override string Kind => "LSTM";
    protected override int Gates => 4;
    protected override RecurrentCell Cell => RecurrentCell.Lstm;

    public override string Describe() => Options("");

    public static LstmLayer Parse(AttributeReader reader, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        var (units, sequences, init, stateful, trainable, name) = ParseCommon("LSTM", reader, location, diagnostics);
        double? forgetBias = reader.TryNamed("ForgetGateBias", out _) ? reader.NamedDouble("ForgetGateBias", 0) : null;
        if (forgetBias is double bias && (double.IsNaN(bias) || float.IsInfinity((float)bias)))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.InvalidArgument, location, name is null ? $"LSTM({units})" : $"LSTM '{name}'",
                $"ForgetGateBias must be a finite float, but is {Literal.Number(bias)}"));
            forgetBias = null;
        }
        return new LstmLayer(units, sequences, init, stateful, forgetBias, trainable, name, location);
    }

    protected override IEnumerable<Op> LowerCellInit(LayerPlan plan)
    {
        if (ForgetGateBias is not double bias) yield break;
        // b_ih starts after W_ih [4H, in] and W_hh [4H, H]; its forget rows are the second block of H.
        int inputBias = plan.ParameterOffset + 4 * Units * (plan.Input.Features + Units);
        yield return new NoteOp($"Forget gate: b_ih's forget rows start at {Literal.Number(bias)}, b_hh's at zero, so the gate's bias is exactly {Literal.Number(bias)}.");
        yield return new FillOp(new ParameterSlice(inputBias + Units, Units), bias);
        yield return new FillOp(new ParameterSlice(inputBias + 4 * Units + Units, Units), 0);
    }
}
