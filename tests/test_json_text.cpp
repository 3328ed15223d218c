// json_text quotes values in messages as json::dump would, but short.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/json_text.h"

namespace digitrain {
namespace {

using nlohmann::json;

TEST(JsonText, WritesCompactJsonAsDumpDoes) {
  for (const json& v : {json(nullptr), json(true), json(false), json(0), json(-17), json(784u), json("adam"),
                        json::array(), json::object(), json{784, 255}, json{{"mode", "split"}, {"fraction", 0.5}},
                        json("quote \" and backslash \\ and tab \t, newline \n, bell \x07 and \x1f"),
                        json{1, json{2, json{3}}, "x"}, json(128.0), json(0.5), json{{"a", json{{"b", nullptr}}}}})
    EXPECT_EQ(json_text(v), v.dump()) << v.dump();
}

TEST(JsonText, WritesFloatsAsPrintfG) {
  EXPECT_EQ(json_text(json(0.1)), "0.1");
  EXPECT_EQ(json_text(json(1e-7)), "1e-07");
  EXPECT_EQ(json_text(json(2.0)), "2.0");
  EXPECT_EQ(json_text(json(0.99999999)), "0.99999999");
  EXPECT_EQ(json_text(json(-1e300)), "-1e+300");
  EXPECT_EQ(json_text(json{1.5, 0.25}), "[1.5,0.25]");
}

TEST(JsonText, CutsLongValues) {
  const std::string text = json_text(json(std::vector<int>(100000, 123)));
  EXPECT_EQ(text.substr(0, 9), "[123,123,");
  EXPECT_LE(text.size(), 90u);
  EXPECT_EQ(text.substr(text.size() - 3), "...");
  EXPECT_EQ(json_text(json(std::string(1000, 'a'))).size(), 83u);
  // Cut inside a nested object, and never inside a UTF-8 character (2 bytes each here).
  const std::string nested = json_text(json{{"layers", json{{{"config", std::string(200, 'x')}}}}});
  EXPECT_EQ(nested.substr(0, 23), "{\"layers\":[{\"config\":\"x");
  EXPECT_EQ(nested.size(), 83u);
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xc3\xa9";  // é
  const std::string cut = json_text(json(accents));
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  EXPECT_EQ((cut.size() - 3 - 1) % 2, 0u) << "whole characters after the opening quote";
}

}  // namespace
}  // namespace digitrain
