#pragma once
// Turns a drawn or photographed digit into what MNIST images look like, as LeCun et al.
// prepared them: crop to the ink, scale to fit a 20x20 box keeping the aspect ratio
// (antialiased), then place it in 28x28 so its centre of mass is at the centre.
#include <array>
#include <cstdint>

namespace digitrain {

using MnistImage = std::array<uint8_t, 28 * 28>;

// `ink` holds width*height values in [0, 1], 1 = ink (white on black, as MNIST).
// An image without ink gives an all-zero result.
MnistImage to_mnist_layout(const float* ink, int width, int height);

}  // namespace digitrain
