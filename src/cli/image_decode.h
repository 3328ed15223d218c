#pragma once
// Decodes a picture file's bytes (PNG, JPEG, binary PGM/PPM) into 8-bit grey levels, with
// Debian's libpng and libjpeg-turbo. Every size is read from the header and checked
// (1 to 8192 pixels a side) before any pixel is decoded or allocated; anything else is an
// Error naming `source`. (stb_image, used before, wrote out of bounds on a 9-byte JPEG,
// looped forever on an HDR file and decoded 983 MB before its size was checked.)
#include <cstdint>
#include <string>
#include <vector>

namespace digitrain {

// The most pixels a side: a photo of a digit needs far fewer; an 8192 x 8192 grey image is
// 64 MB.
constexpr int kMaxPictureSide = 8192;

struct GreyImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // width * height, row-major, 0 black .. 255 white
};

GreyImage decode_picture(const std::vector<uint8_t>& bytes, const std::string& source);

}  // namespace digitrain
