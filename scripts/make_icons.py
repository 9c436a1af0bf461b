"""Draw the app icons (PNG) from the brand mark in assets/icon.svg.

Browsers and home screens want bitmaps at fixed sizes; this redraws the SVG's shapes
(teal gradient, white roof, columns and base) with Pillow so the PNGs stay in step with
the mark. Run it after changing the mark and commit the output:

    python scripts/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

ASSETS = Path(__file__).resolve().parents[1] / "assets"
TOP, BOTTOM = (0x12, 0xA5, 0x94), (0x0D, 0x3D, 0x38)  # the gradient stops of icon.svg
# The glyph in icon.svg's 64x64 view box: strokes 4 wide with round ends.
STROKES = (((14, 26), (32, 15), (50, 26)), ((14, 49), (50, 49)),
           *(((x, 30), (x, 44)) for x in (20, 28, 36, 44)))
SUPERSAMPLE = 4


def _gradient(size: int) -> Image.Image:
    """The diagonal gradient of icon.svg, from the top left to the bottom right."""
    vertical = Image.linear_gradient("L").resize((size, size))
    ramp = ImageChops.add(vertical, vertical.transpose(Image.Transpose.ROTATE_90), scale=2)
    return Image.composite(Image.new("RGB", (size, size), BOTTOM), Image.new("RGB", (size, size), TOP), ramp)


def _glyph(draw: ImageDraw.ImageDraw, origin: float, scale: float) -> None:
    width = round(4 * scale)
    for points in STROKES:
        xy = [(origin + x * scale, origin + y * scale) for x, y in points]
        draw.line(xy, fill="white", width=width, joint="curve")
        for x, y in xy:  # round caps
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill="white")


def draw_icon(size: int, *, maskable: bool = False, rounded: bool = True) -> Image.Image:
    """One icon of ``size`` pixels.

    Args:
        size: Width and height.
        maskable: Fill the whole square and keep the glyph inside the central safe zone
            (a circle of 80 % of the size), since launchers crop maskable icons to any shape.
        rounded: Transparent rounded corners like the SVG; off for Apple's touch icon,
            which iOS rounds itself and shows on black where it is transparent.
    """
    big = size * SUPERSAMPLE
    image = _gradient(big).convert("RGBA")
    if rounded and not maskable:
        mask = Image.new("L", (big, big), 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 14 / 64, fill=255)
        image.putalpha(mask)
    # The glyph spans x 12..52 and y 13..51 of the 64 box; maskable shrinks it to ~55 %.
    scale = big / 64 * (0.62 if maskable else 1.0)
    _glyph(ImageDraw.Draw(image), (big - 64 * scale) / 2, scale)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    """Write every PNG the manifest and the page head refer to."""
    draw_icon(192).save(ASSETS / "icon-192.png", optimize=True)
    draw_icon(512).save(ASSETS / "icon-512.png", optimize=True)
    draw_icon(512, maskable=True).convert("RGB").save(ASSETS / "icon-maskable-512.png", optimize=True)
    draw_icon(180, rounded=False).convert("RGB").save(ASSETS / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
