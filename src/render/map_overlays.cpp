#include "render/map_overlays.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "render/font.hpp"

namespace granary::render {
namespace {

bool wrong_hemisphere(const MapProjection& projection, double lat) {
  // Stereographic maps of the far hemisphere run off to infinity.
  return (projection.projection() == Projection::SouthPolar && lat > 0) ||
         (projection.projection() == Projection::NorthPolar && lat < 0);
}

void draw_polyline(Image& map, const MapProjection& projection, const MapFrame& frame, const Polyline& line, Rgba colour) {
  double shift = 0;
  if (!projection.polar() && !line.empty())
    shift = 360.0 * std::ceil((frame.x_min - line.front().lon) / 360.0);
  bool have_previous = false;
  Point previous;
  for (const auto& p : line) {
    if (wrong_hemisphere(projection, p.lat)) {
      have_previous = false;
      continue;
    }
    const Point q = frame.to_pixel(projection.forward(p.lat, p.lon + shift));
    if (have_previous) map.draw_line(previous, q, colour);
    previous = q, have_previous = true;
  }
}

std::string latitude_label(double lat) {
  if (std::abs(lat) < 1e-9) return "0";
  return fmt::format("{:g}{}", std::abs(lat), lat < 0 ? 'S' : 'N');
}

std::string longitude_label(double lon) {
  lon = std::remainder(lon, 360.0);
  if (std::abs(lon) < 1e-9) return "0";
  if (std::abs(std::abs(lon) - 180) < 1e-9) return "180";
  return fmt::format("{:g}{}", std::abs(lon), lon < 0 ? 'W' : 'E');
}

// The extent of the frame in latitude and longitude, from a grid of inverse projections.
struct GeoExtent {
  double lat_min = 90, lat_max = -90, lon_span = 0, lon_centre = 0;
};

GeoExtent geo_extent(const MapProjection& projection, const MapFrame& frame) {
  GeoExtent e;
  constexpr int kSamples = 24;
  const auto centre = projection.inverse(frame.to_map({frame.width / 2.0, frame.height / 2.0}));
  e.lon_centre = centre ? centre->lon : 0;
  double east = 0, west = 0;
  for (int a = 0; a <= kSamples; ++a)
    for (int b = 0; b <= kSamples; ++b) {
      const auto ll = projection.inverse(frame.to_map({frame.width * a / double(kSamples), frame.height * b / double(kSamples)}));
      if (!ll) continue;
      e.lat_min = std::min(e.lat_min, ll->lat), e.lat_max = std::max(e.lat_max, ll->lat);
      const double d = std::remainder(ll->lon - e.lon_centre, 360.0);
      east = std::max(east, d), west = std::min(west, d);
    }
  e.lon_span = east - west;
  // A pole inside the frame: every meridian crosses it.
  if (projection.polar()) {
    const bool south = projection.projection() == Projection::SouthPolar;
    const Point pole = frame.to_pixel(projection.forward(south ? -90 : 90, 0));
    if (pole.x >= 0 && pole.x <= frame.width && pole.y >= 0 && pole.y <= frame.height) {
      e.lon_span = 360;
      (south ? e.lat_min : e.lat_max) = south ? -90 : 90;
    }
  }
  return e;
}

// The smallest round step giving at most `most` lines across `span` degrees.
double round_step(double span, int most) {
  constexpr std::array<double, 12> kSteps{0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 180};
  for (const double step : kSteps)
    if (span / step <= most) return step;
  return kSteps.back();
}

// Draws a label with a white box behind it, its centre at (x, y) pulled inside the frame.
void draw_label(Image& map, Point at, const std::string& text) {
  const int w = text_width(text) + 2, h = kGlyphHeight + 2;
  const int x = std::clamp(static_cast<int>(at.x) - w / 2, 1, std::max(1, map.width() - w - 1));
  const int y = std::clamp(static_cast<int>(at.y) - h / 2, 1, std::max(1, map.height() - h - 1));
  map.fill_rect(x, y, w, h, kWhite);
  draw_text(map, x + 1, y + 1, text, Rgba{70, 70, 80});
}

bool inside(const MapFrame& frame, Point p) { return p.x >= 0 && p.y >= 0 && p.x < frame.width && p.y < frame.height; }

}  // namespace

void draw_coastlines(Image& map, const MapProjection& projection, const MapFrame& frame, const Coastlines& coast) {
  for (const auto& line : coast.grounding_line) draw_polyline(map, projection, frame, line, kGroundingLineColour);
  for (const auto& line : coast.shore) draw_polyline(map, projection, frame, line, kCoastColour);
}

void draw_graticule(Image& map, const MapProjection& projection, const MapFrame& frame) {
  const GeoExtent e = geo_extent(projection, frame);
  if (e.lat_max < e.lat_min) return;
  const double lat_step = round_step(e.lat_max - e.lat_min, 6);
  const double lon_step = round_step(e.lon_span, e.lon_span >= 360 ? 12 : 6);
  const double lat_limit = 90 - std::min(lat_step, 5.0) / 5;  // meridians stop short of the pole
  struct Label {
    Point at;
    std::string text;
  };
  std::vector<Label> labels;

  for (double lat = std::ceil(e.lat_min / lat_step) * lat_step; lat <= e.lat_max; lat += lat_step) {
    if (std::abs(lat) >= 90 || wrong_hemisphere(projection, lat)) continue;
    Polyline line;
    for (double d = -e.lon_span / 2 - 1; d <= e.lon_span / 2 + 1; d += 0.25) line.push_back({lat, e.lon_centre + d});
    draw_polyline(map, projection, frame, line, kGraticuleColour);
    // Labelled where the parallel is nearest the frame's vertical centre line, below the pole.
    Point best{-1, -1};
    double best_distance = std::numeric_limits<double>::infinity();
    for (const auto& p : line) {
      const Point q = frame.to_pixel(projection.forward(p.lat, p.lon));
      const double distance = std::abs(q.x - frame.width / 2.0) - 1e-3 * q.y;
      if (inside(frame, q) && distance < best_distance) best = q, best_distance = distance;
    }
    if (best.x >= 0) labels.push_back({best, latitude_label(lat)});
  }
  const double lon_first = std::ceil((e.lon_centre - e.lon_span / 2) / lon_step) * lon_step;
  for (double lon = lon_first; lon <= e.lon_centre + e.lon_span / 2 && lon < lon_first + 360 - 1e-9; lon += lon_step) {
    Polyline line;
    const double lo = std::max(e.lat_min - lat_step, -lat_limit), hi = std::min(e.lat_max + lat_step, lat_limit);
    for (double lat = lo; lat <= hi; lat += 0.1) line.push_back({lat, lon});
    draw_polyline(map, projection, frame, line, kGraticuleColour);
    // Labelled at its last point inside the frame, walking away from the pole.
    const bool toward_north = projection.projection() == Projection::SouthPolar;
    Point last{-1, -1};
    for (std::size_t k = 0; k < line.size(); ++k) {
      const auto& p = line[toward_north ? k : line.size() - 1 - k];
      if (wrong_hemisphere(projection, p.lat)) continue;
      const Point q = frame.to_pixel(projection.forward(p.lat, p.lon));
      if (inside(frame, q)) last = q;
    }
    if (last.x >= 0) labels.push_back({last, longitude_label(lon)});
  }
  for (const auto& label : labels) draw_label(map, label.at, label.text);
}

}  // namespace granary::render
