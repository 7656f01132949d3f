using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NetGen.Onnx;

/// <summary>
/// Builds the ONNX inference graph of a network, layer by layer, and serializes it (opset <see cref="OpsetVersion"/>).
/// Generated networks drive it from their <c>ExportOnnx</c> methods with literal sizes: the generator knows every
/// kernel, stride and activation, <see cref="LayerInfo"/> does not. Each layer call copies its weights at once, so the
/// builder holds a snapshot of the parameters taken when the layer was added.
/// </summary>
/// <remarks>
/// The graph has one input "input" of shape [N, features], [N, steps, features] or [N, C, H, W] (N symbolic), or
/// [N, steps] int64 token ids for a network that starts with an Embedding, and one output "output".
/// Dense becomes Gemm (weights [out, in] with transB = 1, PyTorch's nn.Linear layout); Conv2D becomes Conv (weights
/// [outC, inC, kH, kW], symmetric pads); the pools become MaxPool and AveragePool without padding (floor semantics, as
/// NetGen's); Flatten becomes Flatten(axis 1), and a Dense layer that reads an image gets one too, since NetGen reads
/// images flat in C×H×W order; Dropout is the identity at inference and writes nothing. Activations follow as their
/// own nodes: Sigmoid, Tanh, Relu, LeakyRelu and Elu (with alpha), Softmax over the last axis. On sequences, Embedding
/// becomes Gather, SimpleRNN RNN and LSTM LSTM (time-major between two Transposes, as ONNX Runtime runs no other layout; the gate rows reordered from PyTorch's i, f, g, o
/// to ONNX's i, o, f, c, the two biases concatenated), and a Dense after a sequence MatMul with Wᵀ then Add.
/// </remarks>
public sealed class OnnxGraphBuilder
{
    /// <summary>The ONNX operator set the graph is written against.</summary>
    public const int OpsetVersion = 17;
    // IR version 8 is the one that goes with opset 17 (ONNX 1.12).
    const long IrVersion = 8;
    const string InputName = "input", OutputName = "output";

    readonly string _graphName;
    readonly float[] _parameters;
    readonly List<Node> _nodes = new();
    readonly List<Initializer> _initializers = new();
    readonly HashSet<string> _names = new(StringComparer.Ordinal) { InputName, OutputName };
    readonly int[] _inputShape;
    readonly bool _tokenInput;
    int[] _shape; // one sample's shape after the layers added so far: [features], [steps, features] or [C, H, W]
    bool _tokens; // the current value is the input's token ids (an Embedding must read them first)
    string _current = InputName;

    OnnxGraphBuilder(string graphName, float[] parameters, int[] inputShape, bool tokenInput = false)
    {
        ArgumentNullException.ThrowIfNull(graphName);
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (int size in inputShape)
            if (size <= 0) throw new ArgumentOutOfRangeException(nameof(inputShape), size, "Every input dimension must be positive.");
        _graphName = graphName;
        _parameters = parameters;
        _inputShape = inputShape;
        _shape = inputShape;
        _tokenInput = _tokens = tokenInput;
    }

    /// <summary>A graph whose input is a vector of <paramref name="features"/> floats per sample.</summary>
    public static OnnxGraphBuilder ForVector(string graphName, float[] parameters, int features) =>
        new(graphName, parameters, new[] { features });

    /// <summary>A graph whose input is a C×H×W image per sample (NCHW).</summary>
    public static OnnxGraphBuilder ForImage(string graphName, float[] parameters, int channels, int height, int width) =>
        new(graphName, parameters, new[] { channels, height, width });

    /// <summary>A graph whose input is a sequence of <paramref name="steps"/> vectors of <paramref name="features"/> floats per sample, batch-first.</summary>
    public static OnnxGraphBuilder ForSequence(string graphName, float[] parameters, int steps, int features) =>
        new(graphName, parameters, new[] { steps, features });

    /// <summary>A graph whose input is <paramref name="steps"/> token ids (int64) per sample, read by an Embedding.</summary>
    public static OnnxGraphBuilder ForTokens(string graphName, float[] parameters, int steps) =>
        new(graphName, parameters, new[] { steps }, tokenInput: true);

    /// <summary>Token ids → rows of W [vocabulary, dimension] at <paramref name="weightOffset"/>: a Gather.</summary>
    public void Embedding(string layer, int vocabulary, int dimension, int weightOffset)
    {
        if (!_tokens) throw new ArgumentException($"Embedding '{layer}' must read the token ids of a graph made by ForTokens.", nameof(layer));
        if (vocabulary <= 0 || dimension <= 0) throw new ArgumentException($"Embedding '{layer}' needs a positive vocabulary and dimension; got {vocabulary} and {dimension}.");
        string weights = AddInitializer(layer + ".weight", weightOffset, new[] { vocabulary, dimension });
        _tokens = false;
        AddNode("Gather", layer + "/Gather", new[] { weights, _current }, Shape(_shape[0], dimension), Attribute.Int("axis", 0));
    }

    /// <summary>
    /// An LSTM over the sequence, PyTorch's flat layout at <paramref name="weightOffset"/> (W_ih [4H, in], W_hh [4H, H],
    /// b_ih, b_hh; gates i, f, g, o), written as ONNX's LSTM (gates i, o, f, c; B = [b_ih; b_hh]); every step's h, or the last.
    /// </summary>
    public void Lstm(string layer, int hidden, int weightOffset, bool returnSequences) =>
        Recurrent("LSTM", layer, hidden, weightOffset, returnSequences, gates: 4, new[] { 0, 3, 1, 2 }, Activation.Tanh);

    /// <summary>An Elman RNN (tanh or ReLU) over the sequence, nn.RNN's layout at <paramref name="weightOffset"/>, as ONNX's RNN.</summary>
    public void SimpleRnn(string layer, int hidden, int weightOffset, bool returnSequences, Activation activation) =>
        Recurrent("RNN", layer, hidden, weightOffset, returnSequences, gates: 1, new[] { 0 }, activation);

    // ONNX gate block k is PyTorch's block order[k].
    void Recurrent(string opType, string layer, int hidden, int weightOffset, bool returnSequences, int gates, int[] order, Activation activation)
    {
        var (steps, features) = Sequence(layer);
        if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, $"{opType} '{layer}' needs a positive unit count.");
        if (activation is not (Activation.Tanh or Activation.ReLU))
            throw new NotSupportedException($"ONNX export does not support the {activation} activation on recurrent layer '{layer}' of '{_graphName}'.");
        int rows = gates * hidden, inputWeights = weightOffset, recurrentWeights = inputWeights + rows * features;
        int inputBias = recurrentWeights + rows * hidden, recurrentBias = inputBias + rows;
        string w = AddGateBlocks(layer + ".W", new[] { (inputWeights, features) }, hidden, order, new[] { 1, rows, features });
        string r = AddGateBlocks(layer + ".R", new[] { (recurrentWeights, hidden) }, hidden, order, new[] { 1, rows, hidden });
        string b = AddGateBlocks(layer + ".B", new[] { (inputBias, 1), (recurrentBias, 1) }, hidden, order, new[] { 1, 2 * rows });
        var attributes = new List<Attribute> { Attribute.Int("hidden_size", hidden) };
        if (activation == Activation.ReLU) attributes.Add(Attribute.Strings("activations", "Relu"));
        // ONNX Runtime runs only the time-major layout (layout = 0): [N, steps, in] → [steps, N, in] on the way in.
        AddNode("Transpose", layer + "/ToTimeMajor", new[] { _current }, Shape(steps, features), Attribute.Ints("perm", 1, 0, 2));
        // Outputs: Y [steps, 1, N, H] and Y_h [1, N, H]; back to batch-first, then a reshape drops the direction axis.
        string y = Unique(layer + "/" + opType + ":Y"), yh = Unique(layer + "/" + opType + ":Y_h");
        _nodes.Add(new Node(opType, Unique(layer + "/" + opType), new[] { _current, w, r, b }, returnSequences ? new[] { y } : new[] { "", yh }, attributes.ToArray()));
        _current = returnSequences ? y : yh;
        if (returnSequences) AddNode("Transpose", layer + "/ToBatchFirst", new[] { _current }, Shape(steps, 1, hidden), Attribute.Ints("perm", 2, 0, 1, 3));
        else AddNode("Transpose", layer + "/ToBatchFirst", new[] { _current }, Shape(1, hidden), Attribute.Ints("perm", 1, 0, 2));
        var shape = returnSequences ? new long[] { 0, steps, hidden } : new long[] { 0, hidden };
        AddNode("Reshape", layer + "/Reshape", new[] { _current, AddInt64Initializer(layer + ".shape", shape) },
            returnSequences ? Shape(steps, hidden) : Shape(hidden));
    }

    /// <summary>y = f(x·Wᵀ + b): W [units, inputs] at <paramref name="weightOffset"/>, then b [units] when <paramref name="hasBias"/>.</summary>
    public void Dense(string layer, int inputs, int units, int weightOffset, bool hasBias, Activation activation, float alpha)
    {
        if (_shape.Length == 2)
        {
            DenseOverSteps(layer, inputs, units, weightOffset, hasBias, activation, alpha);
            return;
        }
        if (_shape.Length == 3) AddNode("Flatten", layer + "/Flatten", new[] { _current }, Shape(Size(_shape)), Attribute.Int("axis", 1));
        if (Size(_shape) != inputs)
            throw new ArgumentException($"Dense '{layer}' expects {inputs} inputs, but the layers before it produce {Size(_shape)}.", nameof(inputs));
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, $"Dense '{layer}' needs a positive unit count.");
        string weights = AddInitializer(layer + ".weight", weightOffset, new[] { units, inputs });
        var operands = new List<string> { _current, weights };
        if (hasBias) operands.Add(AddInitializer(layer + ".bias", weightOffset + units * inputs, new[] { units }));
        AddNode("Gemm", layer + "/Gemm", operands.ToArray(), Shape(units), Attribute.Int("transB", 1));
        AddActivation(layer, activation, alpha);
    }

    // A Dense layer after a sequence applies at every step: MatMul with Wᵀ [in, units] on [N, steps, in], then Add b.
    void DenseOverSteps(string layer, int inputs, int units, int weightOffset, bool hasBias, Activation activation, float alpha)
    {
        var (steps, features) = Sequence(layer);
        if (features != inputs)
            throw new ArgumentException($"Dense '{layer}' expects {inputs} inputs per step, but the layers before it produce {features}.", nameof(inputs));
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, $"Dense '{layer}' needs a positive unit count.");
        string transposed = AddTransposedInitializer(layer + ".weight_t", weightOffset, units, inputs);
        AddNode("MatMul", layer + "/MatMul", new[] { _current, transposed }, Shape(steps, units));
        if (hasBias) AddNode("Add", layer + "/Add", new[] { _current, AddInitializer(layer + ".bias", weightOffset + units * inputs, new[] { units }) }, Shape(steps, units));
        AddActivation(layer, activation, alpha);
    }

    /// <summary>
    /// Zero-padded 2-D convolution: W [filters, C, kH, kW] at <paramref name="weightOffset"/>, then b [filters] when
    /// <paramref name="hasBias"/>; <paramref name="padHeight"/> rows above and below, <paramref name="padWidth"/> columns left and right.
    /// </summary>
    public void Conv2D(string layer, int filters, int kernelHeight, int kernelWidth, int stride, int padHeight, int padWidth,
        int weightOffset, bool hasBias, Activation activation, float alpha)
    {
        var (channels, height, width) = Image(layer);
        if (filters <= 0 || kernelHeight <= 0 || kernelWidth <= 0 || stride <= 0 || padHeight < 0 || padWidth < 0)
            throw new ArgumentException($"Conv2D '{layer}' needs positive filters, kernel and stride and non-negative padding; got {filters}, {kernelHeight}×{kernelWidth}, stride {stride}, padding {padHeight}×{padWidth}.");
        int outHeight = Window(layer, height + 2 * padHeight, kernelHeight, stride), outWidth = Window(layer, width + 2 * padWidth, kernelWidth, stride);
        string weights = AddInitializer(layer + ".weight", weightOffset, new[] { filters, channels, kernelHeight, kernelWidth });
        var operands = new List<string> { _current, weights };
        if (hasBias) operands.Add(AddInitializer(layer + ".bias", weightOffset + filters * channels * kernelHeight * kernelWidth, new[] { filters }));
        AddNode("Conv", layer + "/Conv", operands.ToArray(), Shape(filters, outHeight, outWidth),
            Attribute.Ints("kernel_shape", kernelHeight, kernelWidth),
            Attribute.Ints("strides", stride, stride),
            Attribute.Ints("pads", padHeight, padWidth, padHeight, padWidth));
        AddActivation(layer, activation, alpha);
    }

    /// <summary>Each channel's size×size window maximum, no padding.</summary>
    public void MaxPool2D(string layer, int size, int stride) => Pool("MaxPool", layer, size, stride);

    /// <summary>Each channel's size×size window mean, no padding.</summary>
    public void AvgPool2D(string layer, int size, int stride) => Pool("AveragePool", layer, size, stride);

    /// <summary>C×H×W → C·H·W in C, H, W order.</summary>
    public void Flatten(string layer) => AddNode("Flatten", layer + "/Flatten", new[] { _current }, Shape(Size(_shape)), Attribute.Int("axis", 1));

    /// <summary>A layer that is the identity at inference (Dropout): the graph skips it.</summary>
    public void Skip(string layer) { }

    /// <summary>Throws: the layer kind has no ONNX counterpart this exporter writes.</summary>
    /// <exception cref="NotSupportedException">Always; the message names the layer and its kind.</exception>
    public void Unsupported(string kind, string layer) =>
        throw new NotSupportedException($"ONNX export does not support {kind} layers (layer '{layer}' of '{_graphName}').");

    /// <summary>Writes the model (a serialized ONNX ModelProto) to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Model().CopyTo(stream);
    }

    /// <summary>The model as bytes.</summary>
    public byte[] ToArray() => Model().ToArray();

    /// <summary>
    /// Writes the model to <paramref name="path"/> atomically: into a temporary file beside it, renamed over the target
    /// once complete, so a crash or a full disk never leaves a half-written model behind.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written (the message names <paramref name="path"/>); a previous file is kept.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string target = Path.GetFullPath(path);
        if (Directory.Exists(target))
            throw new IOException($"Could not export the ONNX model '{target}': it is a directory; expected a file path.");
        ProtoWriter model = Model();
        CheckpointTemporaryFiles.RemoveStale(target);
        string temporary = CheckpointTemporaryFiles.Begin(target);
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Delete, bufferSize: 1))
            {
                model.CopyTo(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            if (e is IOException) throw new IOException($"Could not export the ONNX model '{target}': {e.Message}", e);
            throw;
        }
        finally
        {
            CheckpointTemporaryFiles.End(temporary);
        }
    }

    void Pool(string opType, string layer, int size, int stride)
    {
        var (channels, height, width) = Image(layer);
        if (size <= 0 || stride <= 0)
            throw new ArgumentException($"{opType} '{layer}' needs a positive size and stride; got size {size}, stride {stride}.");
        AddNode(opType, layer + "/" + opType, new[] { _current },
            Shape(channels, Window(layer, height, size, stride), Window(layer, width, size, stride)),
            Attribute.Ints("kernel_shape", size, size),
            Attribute.Ints("strides", stride, stride));
    }

    void AddActivation(string layer, Activation activation, float alpha)
    {
        switch (activation)
        {
            case Activation.Identity: break;
            case Activation.Sigmoid: AddNode("Sigmoid", layer + "/Sigmoid", new[] { _current }, _shape); break;
            case Activation.Tanh: AddNode("Tanh", layer + "/Tanh", new[] { _current }, _shape); break;
            case Activation.ReLU: AddNode("Relu", layer + "/Relu", new[] { _current }, _shape); break;
            case Activation.LeakyReLU: AddNode("LeakyRelu", layer + "/LeakyRelu", new[] { _current }, _shape, Attribute.Float("alpha", alpha)); break;
            case Activation.ELU: AddNode("Elu", layer + "/Elu", new[] { _current }, _shape, Attribute.Float("alpha", alpha)); break;
            case Activation.Softmax when _shape.Length is 1 or 2:
                // Over each sample's outputs, or each step's.
                AddNode("Softmax", layer + "/Softmax", new[] { _current }, _shape, Attribute.Int("axis", -1));
                break;
            default:
                throw new NotSupportedException($"ONNX export does not support the {activation} activation on layer '{layer}' of '{_graphName}' (output shape {string.Join("×", _shape)}).");
        }
    }

    (int Steps, int Features) Sequence(string layer)
    {
        if (_shape.Length != 2 || _tokens)
            throw new ArgumentException($"Layer '{layer}' needs a sequence of vectors, but the layers before it produce {(_tokens ? "token ids" : string.Join("×", _shape))}.");
        return (_shape[0], _shape[1]);
    }

    (int Channels, int Height, int Width) Image(string layer)
    {
        if (_shape.Length != 3)
            throw new ArgumentException($"Layer '{layer}' needs a C×H×W image, but the layers before it produce a vector of {Size(_shape)}.");
        return (_shape[0], _shape[1], _shape[2]);
    }

    // floor((padded − kernel)/stride) + 1, as NetGen's shape rule; ONNX's default (ceil_mode 0) agrees.
    static int Window(string layer, int padded, int kernel, int stride)
    {
        if (kernel > padded)
            throw new ArgumentException($"Layer '{layer}' has a window of {kernel} wider than its (padded) input of {padded}.");
        return (padded - kernel) / stride + 1;
    }

    static int Size(int[] shape)
    {
        long size = 1;
        foreach (int d in shape) size *= d;
        return checked((int)size);
    }

    static int[] Shape(params int[] dims) => dims;

    string Unique(string name)
    {
        string unique = name;
        for (int i = 2; !_names.Add(unique); i++) unique = name + "_" + i.ToString(CultureInfo.InvariantCulture);
        return unique;
    }

    string AddInitializer(string name, int offset, int[] dims)
    {
        int count = Size(dims);
        if (offset < 0 || offset > _parameters.Length - count)
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"Tensor '{name}' needs {count} parameters from offset {offset}, but the network has {_parameters.Length}.");
        // raw_data is little-endian whatever the machine.
        var bytes = new byte[count * sizeof(float)];
        for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), _parameters[offset + i]);
        var initializer = new Initializer(Unique(name), dims, bytes, OnnxField.Float);
        _initializers.Add(initializer);
        return initializer.Name;
    }

    // Gate blocks of H rows reordered: ONNX block k is PyTorch block order[k]. Each source is (offset, row width); several
    // sources are written one after another (an RNN's B is b_ih then b_hh, each reordered).
    string AddGateBlocks(string name, (int Offset, int Width)[] sources, int hidden, int[] order, int[] dims)
    {
        var values = new float[Size(dims)];
        int at = 0;
        foreach (var (offset, width) in sources)
        {
            int block = hidden * width;
            if (offset < 0 || offset > _parameters.Length - order.Length * block)
                throw new ArgumentOutOfRangeException(nameof(sources), offset, $"Tensor '{name}' needs {order.Length * block} parameters from offset {offset}, but the network has {_parameters.Length}.");
            foreach (int k in order)
            {
                Array.Copy(_parameters, offset + k * block, values, at, block);
                at += block;
            }
        }
        return AddFloats(name, values, dims);
    }

    string AddTransposedInitializer(string name, int offset, int rows, int columns)
    {
        if (offset < 0 || offset > _parameters.Length - rows * columns)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Tensor '{name}' needs {rows * columns} parameters from offset {offset}, but the network has {_parameters.Length}.");
        var values = new float[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) values[c * rows + r] = _parameters[offset + r * columns + c];
        return AddFloats(name, values, new[] { columns, rows });
    }

    string AddFloats(string name, float[] values, int[] dims)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        var initializer = new Initializer(Unique(name), dims, bytes, OnnxField.Float);
        _initializers.Add(initializer);
        return initializer.Name;
    }

    string AddInt64Initializer(string name, long[] values)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        var initializer = new Initializer(Unique(name), new[] { values.Length }, bytes, OnnxField.Int64);
        _initializers.Add(initializer);
        return initializer.Name;
    }

    void AddNode(string opType, string name, string[] inputs, int[] outputShape, params Attribute[] attributes)
    {
        string output = Unique(name + ":0");
        _nodes.Add(new Node(opType, Unique(name), inputs, new[] { output }, attributes));
        _current = output;
        _shape = outputShape;
    }

    ProtoWriter Model()
    {
        // The last node writes the graph's output; a graph of identities only (all Dropout) gets an Identity node.
        var nodes = new List<Node>(_nodes);
        if (nodes.Count == 0) nodes.Add(new Node("Identity", Unique("Identity"), new[] { InputName }, new[] { OutputName }, Array.Empty<Attribute>()));
        else nodes[^1] = nodes[^1] with { Outputs = new[] { OutputName } };

        var graph = new ProtoWriter();
        foreach (var node in nodes) graph.Message(OnnxField.GraphNode, node.Encode());
        graph.String(OnnxField.GraphName, _graphName);
        foreach (var initializer in _initializers) graph.Message(OnnxField.GraphInitializer, initializer.Encode());
        graph.Message(OnnxField.GraphInput, ValueInfo(InputName, _inputShape, _tokenInput ? OnnxField.Int64 : OnnxField.Float));
        graph.Message(OnnxField.GraphOutput, ValueInfo(OutputName, _shape, OnnxField.Float));

        return new ProtoWriter()
            .Int(OnnxField.ModelIrVersion, IrVersion)
            .Message(OnnxField.ModelOpsetImport, new ProtoWriter().Int(OnnxField.OpsetVersion, OpsetVersion)) // default domain ""
            .String(OnnxField.ModelProducerName, "NetGen")
            .String(OnnxField.ModelProducerVersion, typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "")
            .Message(OnnxField.ModelGraph, graph);
    }

    // A tensor [N, ...shape] of floats or int64 with a symbolic batch dimension.
    static ProtoWriter ValueInfo(string name, int[] shape, int elementType)
    {
        var dims = new ProtoWriter().Message(OnnxField.ShapeDim, new ProtoWriter().String(OnnxField.DimParam, "N"));
        foreach (int d in shape) dims.Message(OnnxField.ShapeDim, new ProtoWriter().Int(OnnxField.DimValue, d));
        var tensorType = new ProtoWriter().Int(OnnxField.TensorTypeElemType, elementType).Message(OnnxField.TensorTypeShape, dims);
        return new ProtoWriter()
            .String(OnnxField.ValueInfoName, name)
            .Message(OnnxField.ValueInfoType, new ProtoWriter().Message(OnnxField.TypeTensorType, tensorType));
    }

    // An empty output name leaves an optional output unused (the LSTM's Y when only Y_h is read).
    sealed record Node(string OpType, string Name, string[] Inputs, string[] Outputs, Attribute[] Attributes)
    {
        public ProtoWriter Encode()
        {
            var node = new ProtoWriter();
            foreach (string input in Inputs) node.String(OnnxField.NodeInput, input);
            foreach (string output in Outputs) node.String(OnnxField.NodeOutput, output);
            node.String(OnnxField.NodeName, Name).String(OnnxField.NodeOpType, OpType);
            foreach (var attribute in Attributes) node.Message(OnnxField.NodeAttribute, attribute.Encode());
            return node;
        }
    }

    sealed record Initializer(string Name, int[] Dims, byte[] RawData, int DataType)
    {
        public ProtoWriter Encode()
        {
            var tensor = new ProtoWriter();
            foreach (int d in Dims) tensor.Int(OnnxField.TensorDims, d);
            return tensor.Int(OnnxField.TensorDataType, DataType).String(OnnxField.TensorName, Name).Bytes(OnnxField.TensorRawData, RawData);
        }
    }

    readonly record struct Attribute(string Name, int Type, long IntValue, float FloatValue, int[]? IntsValue, string[]? StringsValue = null)
    {
        public static Attribute Int(string name, long value) => new(name, OnnxField.AttributeInt, value, 0, null);
        public static Attribute Float(string name, float value) => new(name, OnnxField.AttributeFloat, 0, value, null);
        public static Attribute Ints(string name, params int[] values) => new(name, OnnxField.AttributeInts, 0, 0, values);
        public static Attribute Strings(string name, params string[] values) => new(name, OnnxField.AttributeStrings, 0, 0, null, values);

        public ProtoWriter Encode()
        {
            var attribute = new ProtoWriter().String(OnnxField.AttributeName, Name).Int(OnnxField.AttributeType, Type);
            if (Type == OnnxField.AttributeInt) attribute.Int(OnnxField.AttributeI, IntValue);
            else if (Type == OnnxField.AttributeFloat) attribute.Float(OnnxField.AttributeF, FloatValue);
            else if (Type == OnnxField.AttributeStrings) foreach (string value in StringsValue!) attribute.String(OnnxField.AttributeStringsField, value);
            else foreach (int value in IntsValue!) attribute.Int(OnnxField.AttributeIntsField, value); // repeated, unpacked (proto2)
            return attribute;
        }
    }
}
