"""Draw the demo curriculum's images: synthetic, labelled illustrations, never patient data.

Run `python -m medmentor.curriculum.demo.make_images` to (re)write them into
demo/curriculum/images/. The drawings are deterministic, so running it again gives
the same files; the committed PNGs are what `medmentor load-demo` imports. Each is a
small palette PNG (well under 30 KB) with "ILLUSTRATION" written on it.

Scintigraphy-like pictures follow the reading-room convention: dark means more
tracer. Shapes are drawn as an activity map, blurred like a gamma camera would, and
inverted.
"""

import math
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

IMAGES = Path(__file__).resolve().parent / "curriculum" / "images"
WIDTH, HEIGHT = 480, 320
BANNER = "ILLUSTRATION · synthetic drawing, not patient data"


def _font(size: int) -> ImageFont.FreeTypeFont:
    # Pillow's built-in font: the same on every machine, so the files are reproducible.
    return ImageFont.load_default(size=size)


def _finish(picture: Image.Image, title: str) -> Image.Image:
    """Add the banner and title, and reduce to a small grey palette."""
    picture = picture.convert("RGB")
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, 0, WIDTH, 22], fill=(40, 40, 40))
    draw.text((8, 4), BANNER, font=_font(13), fill=(255, 255, 255))
    draw.text((8, HEIGHT - 22), title, font=_font(14), fill=(20, 20, 20))
    return picture.quantize(colors=24, dither=Image.Dither.NONE)


def _scan(shapes: Callable[[ImageDraw.ImageDraw], None], blur: float = 4.0) -> Image.Image:
    """An activity map drawn by `shapes` (fill = counts, 0–255), blurred and inverted."""
    activity = Image.new("L", (WIDTH, HEIGHT), 0)
    shapes(ImageDraw.Draw(activity))
    activity = activity.filter(ImageFilter.GaussianBlur(blur))
    return ImageOps.invert(activity)


def _label(picture: Image.Image, items: list[tuple[tuple[int, int], str]]) -> Image.Image:
    picture = picture.convert("RGB")
    draw = ImageDraw.Draw(picture)
    for position, text in items:
        draw.text(position, text, font=_font(13), fill=(20, 20, 20))
    return picture


def _thyroid(draw, x0: int, y0: int, scale: float, lobe: int, isthmus: int = 0) -> None:
    """Two thyroid lobes (and isthmus) at `lobe` counts, top-left near (x0, y0)."""
    s = scale
    draw.ellipse([x0, y0, x0 + 45 * s, y0 + 120 * s], fill=lobe)
    draw.ellipse([x0 + 85 * s, y0, x0 + 130 * s, y0 + 120 * s], fill=lobe)
    if isthmus:
        draw.rectangle([x0 + 35 * s, y0 + 70 * s, x0 + 95 * s, y0 + 92 * s], fill=isthmus)


def graves() -> Image.Image:
    def shapes(draw):
        _thyroid(draw, 170, 70, 1.1, lobe=235, isthmus=200)
        draw.rectangle([233, 45, 242, 150], fill=170)  # pyramidal lobe, up from the isthmus
        draw.ellipse([60, 120, 80, 140], fill=90)  # salivary gland, faint
        draw.ellipse([400, 120, 420, 140], fill=90)

    picture = _label(_scan(shapes), [((170, 220), "R"), ((305, 220), "L")])
    return _finish(picture, "Diffuse, intense uptake; pyramidal lobe (Graves pattern)")


def toxic_adenoma() -> Image.Image:
    def shapes(draw):
        _thyroid(draw, 170, 70, 1.1, lobe=45, isthmus=30)
        draw.ellipse([168, 120, 228, 180], fill=245)  # hot nodule in the right lobe

    picture = _label(_scan(shapes, blur=3.5), [((150, 220), "R"), ((320, 220), "L")])
    return _finish(picture, "Hot right-lobe nodule; rest of the gland suppressed")


def parathyroid() -> Image.Image:
    def shapes(draw):
        # Early (left half): thyroid and the focus; delayed (right): thyroid faded.
        _thyroid(draw, 45, 60, 1.0, lobe=200, isthmus=150)
        draw.ellipse([138, 175, 162, 199], fill=230)
        _thyroid(draw, 285, 60, 1.0, lobe=70, isthmus=40)
        draw.ellipse([378, 175, 402, 199], fill=235)

    picture = _label(
        _scan(shapes, blur=3.0),
        [((70, 32), "Early, 15 min"), ((300, 32), "Delayed, 2 h")],
    )
    return _finish(picture, "Focus below the left lobe persists as the thyroid washes out")


def _skeleton(draw, x: int, bone: int, kidneys: int, bladder: int) -> None:
    """A very simplified anterior whole-body skeleton centred on x."""
    draw.ellipse([x - 22, 30, x + 22, 78], outline=bone, width=7)  # skull
    draw.line([x, 80, x, 190], fill=bone, width=9)  # spine
    for row in range(6):  # ribs
        y = 95 + row * 12
        draw.arc([x - 45, y - 8, x - 2, y + 22], 180, 300, fill=bone, width=4)
        draw.arc([x + 2, y - 8, x + 45, y + 22], 240, 360, fill=bone, width=4)
    draw.line([x - 40, 88, x + 40, 88], fill=bone, width=6)  # clavicles
    draw.line([x - 45, 92, x - 60, 175], fill=bone, width=6)  # arms
    draw.line([x + 45, 92, x + 60, 175], fill=bone, width=6)
    draw.ellipse([x - 42, 185, x + 42, 230], outline=bone, width=8)  # pelvis
    draw.line([x - 25, 228, x - 30, 290], fill=bone, width=8)  # femurs
    draw.line([x + 25, 228, x + 30, 290], fill=bone, width=8)
    if kidneys:
        draw.ellipse([x - 38, 140, x - 18, 172], fill=kidneys)
        draw.ellipse([x + 18, 140, x + 38, 172], fill=kidneys)
    if bladder:
        draw.ellipse([x - 12, 200, x + 12, 218], fill=bladder)


def superscan() -> Image.Image:
    def shapes(draw):
        _skeleton(draw, 130, bone=150, kidneys=140, bladder=220)
        _skeleton(draw, 350, bone=250, kidneys=0, bladder=0)

    picture = _label(_scan(shapes, blur=2.0), [((160, 36), "Normal"), ((380, 36), "Superscan")])
    return _finish(picture, "Normal (kidneys, bladder) vs superscan (no kidneys)")


def honda() -> Image.Image:
    def shapes(draw):
        draw.ellipse([110, 60, 370, 260], outline=90, width=14)  # pelvic ring
        draw.polygon([(200, 70), (280, 70), (265, 220), (215, 220)], fill=70)  # sacrum
        draw.rectangle([205, 85, 222, 200], fill=240)  # H: left limb
        draw.rectangle([258, 85, 275, 200], fill=240)  # H: right limb
        draw.rectangle([205, 130, 275, 147], fill=240)  # H: bar

    picture = _label(_scan(shapes, blur=3.0), [((380, 40), "Posterior")])
    return _finish(picture, "H-shaped sacral uptake (Honda sign)")


def _lung(draw, x: int, left: bool, fill: int) -> None:
    if left:
        draw.chord([x, 50, x + 80, 270], 90, 270, fill=fill)
        draw.rectangle([x + 40, 50, x + 70, 270], fill=fill)
    else:
        draw.chord([x, 50, x + 80, 270], 270, 90, fill=fill)
        draw.rectangle([x + 10, 50, x + 40, 270], fill=fill)


def vq() -> Image.Image:
    def shapes(draw):
        # Perfusion (left pair) with wedge defects reaching the pleura.
        _lung(draw, 30, True, 210)
        _lung(draw, 130, False, 210)
        draw.polygon([(30, 120), (75, 140), (30, 165)], fill=0)
        draw.polygon([(30, 200), (80, 215), (38, 245)], fill=0)
        draw.polygon([(210, 110), (160, 130), (210, 150)], fill=0)
        # Ventilation (right pair): even.
        _lung(draw, 260, True, 190)
        _lung(draw, 360, False, 190)

    picture = _label(
        _scan(shapes, blur=3.0), [((75, 30), "Perfusion (Q)"), ((300, 30), "Ventilation (V)")]
    )
    return _finish(picture, "Mismatched wedge-shaped perfusion defects")


def polar_map() -> Image.Image:
    picture = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    centres = {"Stress": (130, 155), "Rest": (350, 155)}
    for name, (cx, cy) in centres.items():
        draw.text((cx - 22, 30), name, font=_font(14), fill=(20, 20, 20))
        for ring, radius in enumerate((85, 59, 34)):
            segments = 6 if ring < 2 else 4
            first = -90 - 180 / segments  # the first segment is centred at 12 o'clock
            for index in range(segments):
                start = first + index * 360 / segments
                end = start + 360 / segments
                middle = (start + end) / 2
                # Anterior (top) and septal (left) segments, and the apex, lose counts
                # at stress only: LAD territory.
                defect = name == "Stress" and (-150 < middle < -30 or 120 < middle < 240)
                value = 115 if defect else 35
                draw.pieslice(
                    [cx - radius, cy - radius, cx + radius, cy + radius],
                    start,
                    end,
                    fill=(value, value, value),
                    outline=(255, 255, 255),
                )
        apex = 115 if name == "Stress" else 35
        draw.ellipse([cx - 14, cy - 14, cx + 14, cy + 14], fill=(apex,) * 3)
        draw.text((cx - 24, cy - 101), "anterior", font=_font(11), fill=(20, 20, 20))
        draw.text((cx - 22, cy + 88), "inferior", font=_font(11), fill=(20, 20, 20))
    legend = "left = septal, right = lateral, centre = apex"
    draw.text((60, 272), legend, font=_font(12), fill=(20, 20, 20))
    return _finish(picture, "Polar maps: pale = fewer counts; anterior-septal-apical at stress")


def hida() -> Image.Image:
    def shapes(draw):
        for index in range(4):
            x = 20 + index * 115
            draw.polygon([(x, 70), (x + 95, 60), (x + 75, 140), (x + 10, 125)], fill=200)
            if index >= 1:
                draw.line([x + 55, 120, x + 70, 175], fill=170, width=6)  # common duct
            if index >= 1:
                draw.arc([x + 30, 165, x + 100, 245], 0, 300, fill=160, width=8)  # bowel
            if index >= 2:
                draw.arc([x + 15, 175, x + 90, 260], 120, 420, fill=150, width=8)

    picture = _label(
        _scan(shapes, blur=2.5),
        [
            ((30, 30), "10 min"),
            ((140, 30), "30 min"),
            ((255, 30), "60 min"),
            ((360, 30), "+morphine"),
        ],
    )
    return _finish(picture, "Ducts and bowel fill; the gallbladder never does")


def _chart(
    title: str,
    x_label: str,
    y_label: str,
    x_max: float,
    y_max: float,
    lines: list[tuple[str, list[tuple[float, float]], tuple[int, int, int], int, float, int]],
    marks: list[tuple[str, float]] = (),
    limits: list[tuple[str, list[tuple[float, float]]]] = (),
    ticks: list[float] = (),
) -> Image.Image:
    picture = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    left, top, right, bottom = 60, 40, WIDTH - 20, HEIGHT - 55

    def point(x: float, y: float) -> tuple[float, float]:
        return left + (right - left) * x / x_max, bottom - (bottom - top) * y / y_max

    draw.line([left, top, left, bottom, right, bottom], fill=(20, 20, 20), width=2)
    draw.text((left + 120, bottom + 16), x_label, font=_font(12), fill=(20, 20, 20))
    for tick in ticks:
        px, _ = point(tick, 0)
        draw.line([px, bottom, px, bottom + 4], fill=(20, 20, 20), width=1)
        draw.text((px - 3, bottom + 4), f"{tick:g}", font=_font(11), fill=(20, 20, 20))
    draw.text((4, top - 14), y_label, font=_font(12), fill=(20, 20, 20))
    for label, x in marks:
        px, _ = point(x, 0)
        for y in range(top, bottom, 8):
            draw.line([px, y, px, y + 4], fill=(90, 90, 90), width=1)
        draw.text((px + 3, top), label, font=_font(12), fill=(20, 20, 20))
    for label, points in limits:
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            draw.line([*point(x1, y1), *point(x2, y2)], fill=(120, 120, 120), width=1)
        lx, ly = point(*points[-1])
        draw.text((lx - 70, ly - 16), label, font=_font(11), fill=(90, 90, 90))
    for label, points, colour, width, label_at, dy in lines:
        path = [coordinate for p in points for coordinate in point(*p)]
        draw.line(path, fill=colour, width=width)
        lx, ly = point(*min(points, key=lambda p: abs(p[0] - label_at)))
        draw.text((lx + 4, ly + dy), label, font=_font(12), fill=colour)
    return _finish(picture, title)


def gastric_emptying() -> Image.Image:
    return _chart(
        "Retention above the limits at 2 h (72 %) and 4 h (24 %)",
        "hours after the meal (0, 1, 2, 4)",
        "% retained",
        4,
        100,
        [("patient", [(0, 100), (1, 90), (2, 72), (4, 24)], (20, 20, 20), 4, 2, -18)],
        limits=[("upper limits", [(1, 90), (2, 60), (4, 10)])],
        ticks=[0, 1, 2, 3, 4],
    )


def renogram() -> Image.Image:
    right, left = [], []
    for step in range(0, 81):
        t = step / 2
        # Right: peaks at about 4 minutes and drains, faster after furosemide.
        value = 100 * (t / 4) * math.exp(1 - t / 4)
        if t > 20:
            value = 100 * 5 * math.exp(-4) * 0.5 ** ((t - 20) / 5)
        right.append((t, value))
        # Left: keeps rising until furosemide, then barely falls (half-time 28 min).
        rising = 95 * (1 - math.exp(-t / 5)) + 0.9 * t
        if t > 20:
            rising = (95 * (1 - math.exp(-4)) + 18) * 0.5 ** ((t - 20) / 28)
        left.append((t, rising))
    return _chart(
        "Furosemide at 20 min: right drains, left does not (half-time 28 min)",
        "minutes",
        "counts",
        40,
        130,
        [("left", left, (20, 20, 20), 4, 32, -18), ("right", right, (110, 110, 110), 3, 8, -18)],
        marks=[("furosemide", 20)],
        ticks=[0, 10, 20, 30, 40],
    )


def brown_fat() -> Image.Image:
    def shapes(draw):
        draw.ellipse([205, 30, 275, 95], fill=170)  # brain
        draw.ellipse([215, 150, 262, 190], fill=120)  # heart
        draw.ellipse([222, 262, 258, 290], fill=200)  # bladder
        for dx in (-1, 1):
            for y in (105, 118, 131):
                draw.ellipse([240 + dx * 38 - 6, y, 240 + dx * 38 + 6, y + 10], fill=220)
            draw.ellipse([240 + dx * 62 - 8, 135, 240 + dx * 62 + 8, 150], fill=230)
            for y in range(150, 240, 16):
                draw.ellipse([240 + dx * 16 - 5, y, 240 + dx * 16 + 5, y + 9], fill=200)

    activity = _scan(shapes, blur=2.0)
    draw = ImageDraw.Draw(activity)
    draw.rounded_rectangle([150, 28, 330, 300], radius=40, outline=150, width=2)  # body outline
    return _finish(activity, "Symmetric neck, supraclavicular and paraspinal brown fat")


def _grades(title: str, grades: list[tuple[str, int]], references: list[tuple[str, int]]):
    picture = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    left, bottom = 60, HEIGHT - 55
    for index, (label, height) in enumerate(grades):
        x = left + 20 + index * 80
        draw.rectangle([x, bottom - height, x + 50, bottom], fill=(70, 70, 70))
        draw.text((x + 20, bottom + 6), label, font=_font(13), fill=(20, 20, 20))
    for label, height in references:
        y = bottom - height
        for x in range(left, WIDTH - 20, 10):
            draw.line([x, y, x + 5, y], fill=(20, 20, 20), width=2)
        draw.text((WIDTH - 110, y - 16), label, font=_font(12), fill=(20, 20, 20))
    draw.line([left, 40, left, bottom, WIDTH - 20, bottom], fill=(20, 20, 20), width=2)
    return _finish(picture, title)


def deauville() -> Image.Image:
    return _grades(
        "Deauville 1-5 against mediastinum and liver",
        [("1", 8), ("2", 45), ("3", 85), ("4", 140), ("5", 205)],
        [("mediastinum", 55), ("liver", 100)],
    )


def krenning() -> Image.Image:
    return _grades(
        "Receptor uptake graded against liver and spleen",
        [("1", 40), ("2", 95), ("3", 150), ("4", 210)],
        [("liver", 95), ("spleen", 185)],
    )


def generator() -> Image.Image:
    molybdenum = [(t, 100 * 0.5 ** (t / 66)) for t in range(0, 73, 2)]
    technetium = [
        (t, 100 * 1.05 * (0.5 ** (t / 66) - 0.5 ** (t / 6)) * 0.87) for t in range(0, 73, 2)
    ]
    return _chart(
        "Tc-99m grows back after elution and peaks near 23 h",
        "hours after elution",
        "activity",
        72,
        110,
        [
            ("Mo-99", molybdenum, (20, 20, 20), 3, 60, -20),
            ("Tc-99m", technetium, (110, 110, 110), 4, 40, 8),
        ],
        marks=[("~23 h", 23)],
        ticks=[0, 24, 48, 72],
    )


DRAWINGS = {
    "week-1/graves-diffuse-uptake.png": graves,
    "week-1/toxic-adenoma.png": toxic_adenoma,
    "week-1/parathyroid-dual-phase.png": parathyroid,
    "week-2/superscan-vs-normal.png": superscan,
    "week-2/honda-sign.png": honda,
    "week-3/vq-mismatch.png": vq,
    "week-3/mpi-polar-map.png": polar_map,
    "week-4/hida-no-gallbladder.png": hida,
    "week-4/gastric-emptying-curve.png": gastric_emptying,
    "week-4/renogram-curves.png": renogram,
    "week-5/brown-fat-mip.png": brown_fat,
    "week-5/deauville-scale.png": deauville,
    "week-6/krenning-scale.png": krenning,
    "week-6/generator-ingrowth.png": generator,
}


def main() -> None:
    for name, draw in DRAWINGS.items():
        path = IMAGES / name
        path.parent.mkdir(parents=True, exist_ok=True)
        draw().save(path, format="PNG", optimize=True)
        print(f"{path.relative_to(IMAGES.parent)}  {path.stat().st_size / 1024:.1f} KB")


if __name__ == "__main__":
    main()
