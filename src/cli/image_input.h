#pragma once
// Reads a picture of a digit (PNG, JPEG, PGM or PPM; cli/image_decode.h) and prepares it as
// an MNIST image.
// Dark ink on a light background is inverted first, so a scan or a photo works as well
// as a white-on-black drawing.
#include <string>

#include "cli/image_decode.h"
#include "data/digit_image.h"

namespace digitrain {

MnistImage read_digit_image(const std::string& path);
// The same for a decoded picture (not empty).
MnistImage digit_from_picture(const GreyImage& picture);

}  // namespace digitrain
