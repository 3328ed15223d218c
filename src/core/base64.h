#pragma once
// Base64 (RFC 4648, with padding) for weights inside JSON model files.
#include <cstdint>
#include <string>
#include <vector>

namespace digitrain {

std::string base64_encode(const uint8_t* bytes, size_t size);
// Strict: any character outside the alphabet, bad padding or a length that is not a
// multiple of 4 is an Error naming `what`.
std::vector<uint8_t> base64_decode(const std::string& text, const std::string& what);
// The decoded size of a valid encoding, computed before decoding (to check it first).
size_t base64_decoded_size(const std::string& text);

}  // namespace digitrain
