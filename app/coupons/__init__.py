"""Promo codes: percentage or fixed discounts with dates, limits and eligibility; every use
recorded, limits held under concurrent checkouts."""
