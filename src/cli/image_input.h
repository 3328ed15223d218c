#pragma once
// Reads a picture of a digit (PNG, JPEG, BMP, ...) and prepares it as an MNIST image.
// Dark ink on a light background is inverted first, so a scan or a photo works as well
// as a white-on-black drawing.
#include <string>

#include "data/digit_image.h"

namespace digitrain {

MnistImage read_digit_image(const std::string& path);

}  // namespace digitrain
