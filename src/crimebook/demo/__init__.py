"""Synthetic, deterministic demo data: real Minsk places and units, fictitious everything else."""

from crimebook.demo.dataset import DemoDataset, build_dataset

__all__ = ["DemoDataset", "build_dataset"]
