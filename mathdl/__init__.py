"""mathdl: the mathematics of deep learning, implemented once in numpy.

Each module implements one concept from the book and is checked against
PyTorch by the test-suite and by the notebooks.
"""

__version__ = "0.1.0"
