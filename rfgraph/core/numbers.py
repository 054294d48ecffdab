"""Exact numbers of the receptive-field arithmetic: strides are integers or fractions (with
upsampling), centres are whole or half pixels.

Python's :class:`~fractions.Fraction` keeps everything exact; these two helpers keep the
common case cheap and the values tidy (an integral fraction becomes an ``int``).

>>> from fractions import Fraction
>>> norm(Fraction(4, 2)), norm(Fraction(1, 2)), norm(3)
(2, Fraction(1, 2), 3)
>>> half(6), half(7), half(Fraction(1, 3))
(3, Fraction(7, 2), Fraction(1, 6))
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["Number", "half", "norm"]

#: A stride, padding or centre: an int, or a Fraction when it is not whole.
Number = int | Fraction


def norm(x: Number) -> Number:
    """``x`` as an ``int`` when it is integral, else unchanged.

    Parameters
    ----------
    x : int or Fraction

    Returns
    -------
    int or Fraction
    """
    if isinstance(x, Fraction) and x.denominator == 1:
        return x.numerator
    return x


def half(twice: Number) -> Number:
    """``twice / 2``, exactly: an ``int`` when ``twice`` is even (most centres are whole or
    half pixels, so this avoids building a Fraction in the hot loops).

    Parameters
    ----------
    twice : int or Fraction

    Returns
    -------
    int or Fraction
    """
    if isinstance(twice, int):
        return twice >> 1 if not twice & 1 else Fraction(twice, 2)
    return norm(twice / 2)
