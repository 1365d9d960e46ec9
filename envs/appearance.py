"""How a human demonstrator and the room they film in look: skin, clothes, table, walls, light.

    from lbw.envs.appearance import DEFAULT, HELD_OUT, sample_appearance, appearance_from
    look = sample_appearance(np.random.default_rng(0))   # a person and room from TRAINING_RANGES
    env = envs.make("push", embodiment="human", appearance=look)      # or a seed, or a preset name
    env.reset(seed=0, options={"appearance": "dark_skin_green_sleeve"})  # another look, same env

``DEFAULT`` is the look of the shipped clips. ``TRAINING_RANGES`` is where the perception models'
human frames are drawn from (``lbw collect --domain human``; ``VARIED`` names it and the wider
sets, ``ANY_TABLE_RANGES`` and ``ANY_ROOM_RANGES``). The ``HELD_OUT`` presets each lie outside
all of those ranges in at least one colour, so a translator never sees them in training: they
measure how it holds on a person it has not seen. Colours are RGB in [0, 1]; ranges are boxes
in HSV (hue in degrees, a range may wrap past 360), except skin, which varies along a tone line.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass, field, fields, replace

import numpy as np

from lbw.envs.scene import SceneStyle

RGB = tuple[float, float, float]

# Skin tones lie on a line in RGB from a light (t = 0) to a dark (t = 1) tone; the default
# look's skin lies on it (t = 1/11). Tones beyond either end are held out.
_SKIN_LIGHT = np.array([0.978, 0.763, 0.618])
_SKIN_DARK = np.array([0.45, 0.29, 0.20])


def skin_tone(t: float) -> RGB:
    """The skin colour at tone ``t`` (0 light … 1 dark; outside [0, 1] extrapolates, clipped)."""
    rgb = _SKIN_LIGHT + t * (_SKIN_DARK - _SKIN_LIGHT)
    return tuple(float(c) for c in np.clip(rgb, 0.0, 1.0))


def tone_of(skin: RGB) -> tuple[float, float]:
    """(t, residual): the skin colour's tone on the line and its distance from the line."""
    direction = _SKIN_DARK - _SKIN_LIGHT
    offset = np.asarray(skin) - _SKIN_LIGHT
    t = float(offset @ direction / (direction @ direction))
    return t, float(np.linalg.norm(offset - t * direction))


def _hsv(h: float, s: float, v: float) -> RGB:
    return tuple(float(c) for c in colorsys.hsv_to_rgb((h % 360.0) / 360.0, s, v))


@dataclass(frozen=True)
class Appearance:
    """One demonstrator in one room. ``light_direction`` points from the scene to the light."""

    skin: RGB
    sleeve: RGB
    shirt: RGB
    table: RGB
    table_stripe: RGB  # the planks drawn on the table (same as ``table``: a plain table)
    wall: RGB
    floor: RGB
    light_direction: tuple[float, float, float]
    light_color: RGB
    ambient: float  # TinyRenderer ambient coefficient, 0..1

    def scene_style(self) -> SceneStyle:
        """The room and light of this look, as the renderer takes them."""
        return SceneStyle(
            table_rgba=(*self.table, 1.0),
            table_stripe_rgba=(*self.table_stripe, 1.0),
            wall_rgba=(*self.wall, 1.0),
            floor_rgba=(*self.floor, 1.0),
            light_direction=self.light_direction,
            light_color=self.light_color,
            ambient=self.ambient,
            shadow=False,
        )

    def to_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> Appearance:
        """The inverse of ``to_dict`` (lists, as JSON gives them back, become tuples)."""
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


@dataclass(frozen=True)
class HsvRange:
    """A box in HSV: hue from ``hue[0]`` to ``hue[1]`` degrees (``hue[1]`` may exceed 360 to
    wrap), saturation and value in [0, 1]."""

    hue: tuple[float, float]
    saturation: tuple[float, float]
    value: tuple[float, float]

    def sample(self, rng: np.random.Generator) -> RGB:
        return _hsv(rng.uniform(*self.hue), rng.uniform(*self.saturation), rng.uniform(*self.value))

    def contains(self, rgb: RGB, tolerance: float = 1e-6) -> bool:
        h, s, v = colorsys.rgb_to_hsv(*rgb)
        h *= 360.0
        low, high = self.hue
        # A grey has no hue: only its saturation and value can place it.
        in_hue = s < tolerance or any(low - tolerance <= x <= high + tolerance for x in (h, h + 360.0))
        return (
            in_hue
            and self.saturation[0] - tolerance <= s <= self.saturation[1] + tolerance
            and self.value[0] - tolerance <= v <= self.value[1] + tolerance
        )


@dataclass(frozen=True)
class HsvBoxes:
    """A union of HSV boxes, drawn uniformly over its volume (a colour in two overlapping boxes
    is drawn a little more often): colours no single box holds, e.g. pale walls of every hue
    and darker ones of all hues but one."""

    boxes: tuple[HsvRange, ...]

    def __post_init__(self) -> None:
        if not self.boxes:
            raise ValueError("HsvBoxes needs at least one box")

    def _volumes(self) -> np.ndarray:
        return np.array([np.prod([b[1] - b[0] for b in (x.hue, x.saturation, x.value)]) for x in self.boxes])

    def sample(self, rng: np.random.Generator) -> RGB:
        volumes = self._volumes()
        return self.boxes[rng.choice(len(self.boxes), p=volumes / volumes.sum())].sample(rng)

    def contains(self, rgb: RGB, tolerance: float = 1e-6) -> bool:
        return any(box.contains(rgb, tolerance) for box in self.boxes)


@dataclass(frozen=True)
class AppearanceRanges:
    """Where training appearances are drawn from (uniformly in each coordinate); ``about``
    says what they draw, in a few words (the CLI's help); ``version`` is bumped when a named
    set's ranges change, so frames cached from the old ranges are not reused."""

    about: str = field(default="a new demonstrator and room per episode", compare=False)
    version: int = field(default=1, compare=False)
    skin_tone: tuple[float, float] = (0.0, 1.0)
    # Clothes of any hue but green (held out), neither washed-out white nor black.
    clothes: HsvRange = HsvRange(hue=(170.0, 430.0), saturation=(0.25, 0.85), value=(0.25, 0.85))
    # Wooden, painted or laminate tables, warm hues; the planks a little darker (or none).
    table: HsvRange = HsvRange(hue=(0.0, 60.0), saturation=(0.05, 0.65), value=(0.35, 0.80))
    stripe_darkening: tuple[float, float] = (0.75, 1.0)  # planks' value relative to the table
    wall: HsvRange | HsvBoxes = HsvRange(hue=(0.0, 360.0), saturation=(0.0, 0.30), value=(0.60, 0.95))
    floor: HsvRange = HsvRange(hue=(0.0, 360.0), saturation=(0.0, 0.50), value=(0.15, 0.45))
    light_azimuth_deg: tuple[float, float] = (-160.0, -20.0)  # 0: from +x; -90: from the camera side
    light_elevation_deg: tuple[float, float] = (35.0, 70.0)
    light_warmth: tuple[float, float] = (-0.5, 1.0)  # -1 cool (bluish) … 1 warm (yellowish)
    ambient: tuple[float, float] = (0.40, 0.70)

    def contains(self, look: Appearance) -> bool:
        """Whether every property of ``look`` lies inside these ranges."""
        azimuth, elevation = _light_angles(look.light_direction)
        warmth = _light_warmth(look.light_color)
        tone, off_line = tone_of(look.skin)
        return all(
            (
                self.skin_tone[0] - 1e-6 <= tone <= self.skin_tone[1] + 1e-6 and off_line < 1e-3,
                self.clothes.contains(look.sleeve),
                self.clothes.contains(look.shirt),
                self.table.contains(look.table),
                self.wall.contains(look.wall),
                self.floor.contains(look.floor),
                self.light_azimuth_deg[0] - 1e-6 <= azimuth <= self.light_azimuth_deg[1] + 1e-6,
                self.light_elevation_deg[0] - 1e-6 <= elevation <= self.light_elevation_deg[1] + 1e-6,
                self.light_warmth[0] - 1e-6 <= warmth <= self.light_warmth[1] + 1e-6,
                self.ambient[0] <= look.ambient <= self.ambient[1],
            )
        )


def _light_direction(azimuth_deg: float, elevation_deg: float) -> tuple[float, float, float]:
    a, e = np.radians(azimuth_deg), np.radians(elevation_deg)
    return (float(np.cos(e) * np.cos(a)), float(np.cos(e) * np.sin(a)), float(np.sin(e)))


def _light_angles(direction: tuple[float, float, float]) -> tuple[float, float]:
    x, y, z = np.asarray(direction) / np.linalg.norm(direction)
    return float(np.degrees(np.arctan2(y, x))), float(np.degrees(np.arcsin(z)))


def _light_color(warmth: float) -> RGB:
    """White light tinted warm (w > 0: less blue) or cool (w < 0: less red)."""
    return (1.0 - 0.15 * max(-warmth, 0.0), 1.0 - 0.07 * abs(warmth), 1.0 - 0.2 * max(warmth, 0.0))


def _light_warmth(color: RGB) -> float:
    r, _, b = color
    return (1.0 - b) / 0.2 if b < 1.0 else -(1.0 - r) / 0.15


TRAINING_RANGES = AppearanceRanges()

# The same people and rooms at tables of any hue but blue (190°–240°, kept out so that the blue
# table of ``white_shirt_blue_table`` stays unseen): a translator trained on warm tables alone
# loses the arm in front of a blue one.
ANY_TABLE_RANGES = replace(
    TRAINING_RANGES,
    table=HsvRange(hue=(240.0, 550.0), saturation=(0.05, 0.65), value=(0.35, 0.80)),
    about="the same at tables of any hue but blue",
)

# Those tables, and walls pale as in the training ranges (every hue) or of any hue but green
# (100°–200°, kept out so that the dark green wall of ``pale_skin_dark_room`` stays unseen) from
# pale to dark and from grey to coloured. Measured on drawer_close, darker walls did not keep the
# arm in front of the dark green wall (docs/demonstrators.md, walls of any hue): a user's own
# room may still be nearer them. Version 2 took the pale greens of version 1 back in, so that
# each named set holds the narrower ones.
ANY_ROOM_RANGES = replace(
    ANY_TABLE_RANGES,
    wall=HsvBoxes(
        (
            TRAINING_RANGES.wall,
            HsvRange(hue=(200.0, 460.0), saturation=(0.0, 0.60), value=(0.30, 0.95)),
        )
    ),
    about="the same at tables of any hue but blue, and walls of any hue from pale to dark but dark greens",
    version=2,
)

VARIED: dict[str, AppearanceRanges] = {
    "varied": TRAINING_RANGES,
    "varied_tables": ANY_TABLE_RANGES,
    "varied_rooms": ANY_ROOM_RANGES,
}
"""Named training ranges: ``lbw collect`` (``data.human_appearance``) draws a new look per
episode from the one named."""


def sample_appearance(rng: np.random.Generator, ranges: AppearanceRanges = TRAINING_RANGES) -> Appearance:
    """A demonstrator and room drawn uniformly from ``ranges``."""
    table = ranges.table.sample(rng)
    h, s, v = colorsys.rgb_to_hsv(*table)
    stripe = _hsv(h * 360.0, s, v * rng.uniform(*ranges.stripe_darkening))
    return Appearance(
        skin=skin_tone(rng.uniform(*ranges.skin_tone)),
        sleeve=ranges.clothes.sample(rng),
        shirt=ranges.clothes.sample(rng),
        table=table,
        table_stripe=stripe,
        wall=ranges.wall.sample(rng),
        floor=ranges.floor.sample(rng),
        light_direction=_light_direction(
            rng.uniform(*ranges.light_azimuth_deg), rng.uniform(*ranges.light_elevation_deg)
        ),
        light_color=_light_color(rng.uniform(*ranges.light_warmth)),
        ambient=float(rng.uniform(*ranges.ambient)),
    )


DEFAULT = Appearance(
    skin=(0.93, 0.72, 0.58),
    sleeve=(0.16, 0.33, 0.62),
    shirt=(0.20, 0.38, 0.70),
    table=(0.62, 0.42, 0.25),
    table_stripe=(0.50, 0.32, 0.18),
    wall=(0.86, 0.80, 0.62),
    floor=(0.30, 0.22, 0.18),
    light_direction=(-0.6, -0.3, 1.0),
    light_color=(1.0, 0.93, 0.80),
    ambient=0.5,
)
"""The look of the shipped clips (``videos/TASK_human.mp4``)."""

HELD_OUT: dict[str, Appearance] = {
    # Darker skin than any training tone, in green clothes (a hue no training shirt has).
    "dark_skin_green_sleeve": replace(
        DEFAULT, skin=skin_tone(1.3), sleeve=_hsv(120.0, 0.6, 0.45), shirt=_hsv(135.0, 0.5, 0.55)
    ),
    # A white shirt (too pale for the training clothes) at a blue, plain table.
    "white_shirt_blue_table": replace(
        DEFAULT,
        skin=skin_tone(0.45),
        sleeve=_hsv(210.0, 0.05, 0.95),
        shirt=_hsv(210.0, 0.05, 0.95),
        table=_hsv(215.0, 0.45, 0.55),
        table_stripe=_hsv(215.0, 0.45, 0.55),
    ),
    # Very pale skin, a black sleeve, a dark green wall, cold light from the right.
    "pale_skin_dark_room": replace(
        DEFAULT,
        skin=skin_tone(-0.25),
        sleeve=_hsv(0.0, 0.0, 0.12),
        shirt=_hsv(0.0, 0.0, 0.15),
        wall=_hsv(150.0, 0.55, 0.40),
        light_direction=_light_direction(-5.0, 25.0),
        light_color=_light_color(-1.0),
        ambient=0.35,
    ),
}
"""Named appearances outside every range set of ``VARIED``: for evaluation only."""

PRESETS: dict[str, Appearance] = {"default": DEFAULT, **HELD_OUT}


def appearance_from(spec: Appearance | str | int | None) -> Appearance:
    """An appearance from what a user may pass: None or ``"default"`` (the shipped look), a
    preset name, an int seed (a look drawn from ``TRAINING_RANGES``), or an ``Appearance``."""
    if spec is None:
        return DEFAULT
    if isinstance(spec, Appearance):
        return spec
    if isinstance(spec, bool):
        raise ValueError(f"appearance must be a preset name, a seed or an Appearance, got {spec!r}")
    if isinstance(spec, (int, np.integer)):
        return sample_appearance(np.random.default_rng(int(spec)))
    if isinstance(spec, str):
        if spec.isdigit():
            return sample_appearance(np.random.default_rng(int(spec)))
        if spec in PRESETS:
            return PRESETS[spec]
        raise ValueError(
            f"unknown appearance {spec!r}; choose a seed (an integer) or one of {', '.join(PRESETS)}"
        )
    raise ValueError(f"appearance must be a preset name, a seed or an Appearance, got {spec!r}")
