/**
 * Kubernetes protobuf bodies (`application/vnd.kubernetes.protobuf`): decoding into the JSON form
 * the API works on, and the mirror encoder.
 */
export { decodeProtobufObject } from "./decode.js";
export { encodeProtobufObject, type EncodeOptions } from "./encode.js";
export { PROTOBUF_MAGIC, PROTOBUF_MEDIA_TYPE } from "./envelope.js";
