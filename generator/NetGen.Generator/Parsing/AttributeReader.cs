using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Parsing;

/// <summary>
/// Reads an attribute's constructor and named arguments without ever throwing: a missing, mistyped or
/// erroneous argument (the user is mid-edit) reads as "not given" and the compiler reports the real error.
/// </summary>
internal readonly struct AttributeReader
{
    private readonly AttributeData _attribute;

    public AttributeReader(AttributeData attribute) => _attribute = attribute;

    public bool HasErrors
    {
        get
        {
            if (_attribute.AttributeClass is null || _attribute.AttributeClass.TypeKind == TypeKind.Error) return true;
            foreach (var arg in _attribute.ConstructorArguments) if (arg.Kind == TypedConstantKind.Error) return true;
            foreach (var arg in _attribute.NamedArguments) if (arg.Value.Kind == TypedConstantKind.Error) return true;
            return false;
        }
    }

    public int ConstructorArgumentCount => _attribute.ConstructorArguments.Length;

    public int Int(int index, int fallback) => index < ConstructorArgumentCount ? AsInt(_attribute.ConstructorArguments[index], fallback) : fallback;

    public double Double(int index, double fallback) => index < ConstructorArgumentCount ? AsDouble(_attribute.ConstructorArguments[index], fallback) : fallback;

    /// <summary>A params int[] argument (or plain ints), flattened.</summary>
    public List<int> Ints(int startIndex)
    {
        var result = new List<int>();
        for (int i = startIndex; i < ConstructorArgumentCount; i++)
        {
            var arg = _attribute.ConstructorArguments[i];
            if (arg.Kind == TypedConstantKind.Array)
            {
                if (arg.IsNull) continue;
                foreach (var item in arg.Values) result.Add(AsInt(item, 0));
            }
            else result.Add(AsInt(arg, 0));
        }
        return result;
    }

    public bool TryNamed(string name, out TypedConstant value)
    {
        foreach (var pair in _attribute.NamedArguments)
        {
            if (pair.Key == name) { value = pair.Value; return true; }
        }
        value = default;
        return false;
    }

    public int NamedInt(string name, int fallback) => TryNamed(name, out var v) ? AsInt(v, fallback) : fallback;
    public double NamedDouble(string name, double fallback) => TryNamed(name, out var v) ? AsDouble(v, fallback) : fallback;
    public bool NamedBool(string name, bool fallback) => TryNamed(name, out var v) && v.Value is bool b ? b : fallback;
    public string? NamedString(string name) => TryNamed(name, out var v) ? v.Value as string : null;

    private static int AsInt(TypedConstant constant, int fallback) => constant.Value switch
    {
        int i => i,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        ushort us => us,
        long l when l >= int.MinValue && l <= int.MaxValue => (int)l,
        _ => fallback,
    };

    private static double AsDouble(TypedConstant constant, double fallback) => constant.Value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        _ => fallback,
    };
}
