"""edgepack: fine-tuned Hugging Face checkpoints in, verified app-ready model bundles out."""

__version__ = "0.1.0"
