namespace NetGen.Onnx;

/// <summary>
/// Field numbers and enum values from the ONNX specification's onnx.proto (github.com/onnx/onnx, onnx/onnx.proto),
/// only those the exporter writes. They are part of the wire format and never change.
/// </summary>
internal static class OnnxField
{
    // ModelProto
    public const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelGraph = 7, ModelOpsetImport = 8;
    // OperatorSetIdProto
    public const int OpsetVersion = 2;
    // GraphProto
    public const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    // NodeProto
    public const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    // AttributeProto, and its AttributeType enum
    public const int AttributeName = 1, AttributeF = 2, AttributeI = 3, AttributeIntsField = 8, AttributeStringsField = 9, AttributeType = 20;
    public const int AttributeFloat = 1, AttributeInt = 2, AttributeInts = 7, AttributeStrings = 8;
    // TensorProto, and its DataType enum
    public const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    public const int Float = 1, Int64 = 7;
    // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, TensorShapeProto.Dimension
    public const int ValueInfoName = 1, ValueInfoType = 2;
    public const int TypeTensorType = 1;
    public const int TensorTypeElemType = 1, TensorTypeShape = 2;
    public const int ShapeDim = 1;
    public const int DimValue = 1, DimParam = 2;
}
