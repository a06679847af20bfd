"""The reviewers' pages, in HTML: log-in, the article list, the article page, a claim's panel.

Every write and every JSON read the article page makes goes to /api/; nothing here changes data.
"""
