"""Demonstrator appearances: seeded sampling inside the training ranges, held-out presets outside
them, and the human env dressed in them without changing the scene's geometry."""

from __future__ import annotations

import colorsys
from dataclasses import replace

import numpy as np
import pytest

from lbw import envs
from lbw.dataset import collect_frames
from lbw.envs.appearance import (
    ANY_ROOM_RANGES,
    ANY_TABLE_RANGES,
    DEFAULT,
    HELD_OUT,
    TRAINING_RANGES,
    VARIED,
    Appearance,
    HsvBoxes,
    HsvRange,
    appearance_from,
    sample_appearance,
)


def test_sampling_is_seeded_and_in_range() -> None:
    first = [sample_appearance(np.random.default_rng(7)) for _ in range(2)]
    assert first[0] == first[1]
    assert sample_appearance(np.random.default_rng(8)) != first[0]
    rng = np.random.default_rng(0)
    looks = [sample_appearance(rng) for _ in range(500)]
    assert all(TRAINING_RANGES.contains(look) for look in looks)
    # Real variety: skin tones and table colours spread over their ranges.
    tones = np.array([look.skin for look in looks])
    assert tones.std(axis=0).min() > 0.08
    assert len({look.sleeve for look in looks}) == 500


def test_default_inside_held_out_outside() -> None:
    assert TRAINING_RANGES.contains(DEFAULT)
    assert len(HELD_OUT) >= 3
    for name, look in HELD_OUT.items():
        assert not TRAINING_RANGES.contains(look), name


def test_appearance_from() -> None:
    assert appearance_from(None) == appearance_from("default") == DEFAULT
    assert appearance_from(3) == appearance_from("3") == sample_appearance(np.random.default_rng(3))
    assert appearance_from("pale_skin_dark_room") == HELD_OUT["pale_skin_dark_room"]
    for bad in ("nobody", 1.5, True):
        with pytest.raises(ValueError, match="appearance"):
            appearance_from(bad)


def test_env_dressed_in_an_appearance() -> None:
    env = envs.make("push", embodiment="human", obs_mode="pixels", image_size=32)
    default, info = env.reset(seed=0)
    dark, dark_info = env.reset(seed=0, options={"appearance": "dark_skin_green_sleeve"})
    assert env.unwrapped.appearance == HELD_OUT["dark_skin_green_sleeve"]
    assert np.abs(default.astype(int) - dark).mean() > 2  # another look (the same room) …
    for name in info["pixels"]:  # … of the same scene
        np.testing.assert_allclose(info["pixels"][name], dark_info["pixels"][name])
    again, _ = env.reset(seed=0, options={"appearance": "default"})
    np.testing.assert_array_equal(again, default)  # and back, exactly
    env.close()
    made = envs.make("push", embodiment="human", obs_mode="pixels", image_size=32, appearance=DEFAULT)
    np.testing.assert_array_equal(made.reset(seed=0)[0], default)
    made.close()


def test_robot_has_one_look() -> None:
    with pytest.raises(ValueError, match="human embodiment only"):
        envs.make("push", embodiment="robot", appearance="default")
    env = envs.make("push")
    with pytest.raises(ValueError, match="human embodiment only"):
        env.reset(options={"appearance": 1})
    env.close()


def test_collect_draws_a_look_per_episode() -> None:
    varied = collect_frames("reach", "human", 130, seed=0, image_size=16, progress=False)
    assert varied.meta["appearance"] == "varied" and varied.meta["num_episodes"] == 3
    # The wall (top rows) differs between episodes: another room each time.
    walls = [varied.frames[varied.episode == e][0, :2].astype(int).mean(axis=(0, 1)) for e in range(3)]
    assert min(np.abs(walls[i] - walls[j]).sum() for i in range(3) for j in range(i)) > 3
    again = collect_frames("reach", "human", 130, seed=0, image_size=16, progress=False)
    np.testing.assert_array_equal(again.frames, varied.frames)
    fixed = collect_frames("reach", "human", 130, seed=0, image_size=16, progress=False, appearance="default")
    np.testing.assert_array_equal(fixed.pixels, varied.pixels)  # the same motions, another look
    with pytest.raises(ValueError, match="unknown appearance"):
        collect_frames("reach", "human", 10, appearance="nobody", progress=False)


def test_to_dict_round_trip() -> None:
    look = sample_appearance(np.random.default_rng(1))
    assert Appearance.from_dict(look.to_dict()) == look


def test_every_range_set_holds_its_samples_and_leaves_the_held_out_looks_out() -> None:
    assert set(VARIED) == {"varied", "varied_tables", "varied_rooms"}
    assert len({ranges.about for ranges in VARIED.values()}) == len(VARIED)  # each says what it draws
    for name, ranges in VARIED.items():
        rng = np.random.default_rng(1)
        assert all(ranges.contains(sample_appearance(rng, ranges)) for _ in range(300)), name
        for preset, look in HELD_OUT.items():
            assert not ranges.contains(look), (name, preset)
    # The wider set holds the narrower one and draws tables of many more hues, none of them blue.
    rng = np.random.default_rng(2)
    assert all(ANY_TABLE_RANGES.contains(sample_appearance(rng)) for _ in range(300))
    hues = np.array(
        [colorsys.rgb_to_hsv(*sample_appearance(rng, ANY_TABLE_RANGES).table)[0] * 360 for _ in range(300)]
    )
    assert np.ptp(hues) > 300 and not ((hues > 190.5) & (hues < 239.5)).any()
    blue_table = replace(DEFAULT, table=HELD_OUT["white_shirt_blue_table"].table)
    assert not ANY_TABLE_RANGES.contains(blue_table)
    # The widest set holds the others and draws walls dark and coloured, greens pale only.
    assert all(ANY_ROOM_RANGES.contains(sample_appearance(rng, ANY_TABLE_RANGES)) for _ in range(300))
    walls = np.array([colorsys.rgb_to_hsv(*sample_appearance(rng, ANY_ROOM_RANGES).wall) for _ in range(600)])
    greens = walls[(walls[:, 1] > 0.05) & (walls[:, 0] * 360 > 100.5) & (walls[:, 0] * 360 < 199.5)]
    assert walls[:, 2].min() < 0.4 and walls[:, 1].max() > 0.5
    assert len(greens) > 10 and greens[:, 1].max() <= 0.3 and greens[:, 2].min() >= 0.6
    green_wall = replace(DEFAULT, wall=HELD_OUT["pale_skin_dark_room"].wall)
    assert not ANY_ROOM_RANGES.contains(green_wall)
    assert not ANY_TABLE_RANGES.contains(green_wall)


def test_a_union_of_boxes_draws_from_each_by_its_volume() -> None:
    small = HsvRange(hue=(0.0, 40.0), saturation=(0.4, 0.6), value=(0.4, 0.6))
    large = HsvRange(hue=(180.0, 270.0), saturation=(0.2, 0.8), value=(0.3, 0.9))
    union = HsvBoxes((small, large))
    rng = np.random.default_rng(0)
    colours = [union.sample(rng) for _ in range(400)]
    assert all(union.contains(c) for c in colours)
    in_small = sum(small.contains(c) for c in colours)
    assert 5 < in_small < 40  # its share of the volume: 1.6 / 34 ≈ 5 %
    assert not union.contains((0.0, 1.0, 0.0))  # pure green: in neither box
    with pytest.raises(ValueError, match="at least one box"):
        HsvBoxes(())


def test_collect_draws_from_the_named_ranges() -> None:
    warm = collect_frames("reach", "human", 30, seed=0, image_size=32, progress=False)
    wide = collect_frames(
        "reach", "human", 30, seed=0, image_size=32, progress=False, appearance="varied_tables"
    )
    assert wide.meta["appearance"] == "varied_tables"
    np.testing.assert_array_equal(warm.pixels, wide.pixels)  # the same motions …
    assert np.abs(warm.frames.astype(int) - wide.frames).mean() > 1  # … at other tables
