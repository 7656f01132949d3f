using Microsoft.CodeAnalysis;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Helpers;

namespace NetGen.Generator.Model;

/// <summary>A diagnostic as plain data; it becomes a Roslyn <see cref="Diagnostic"/> only when reported.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments)
    {
        var texts = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++) texts[i] = System.Convert.ToString(arguments[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new DiagnosticInfo(descriptor.Id, location, texts.ToEquatableArray());
    }

    public Diagnostic ToDiagnostic()
    {
        var args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
        return Diagnostic.Create(DiagnosticDescriptors.ById(Id), Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, args);
    }

    public bool IsError => DiagnosticDescriptors.ById(Id).DefaultSeverity == DiagnosticSeverity.Error;
}
