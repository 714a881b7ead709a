"""Words for the demo data: the hand-written demo courses, and the pools the scale seed draws from.

Kept apart from the steps so the steps read as logic, not prose.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from courses.models import Difficulty, LessonType

# --- The hand-written demo world -------------------------------------------------------------------

PYTHON_COURSE_SLUG = "python-from-zero"
DRAFT_COURSE_SLUG = "web-apis-with-django"

PYTHON_COURSE: dict[str, Any] = {
    "title": "Python from Zero",
    "slug": PYTHON_COURSE_SLUG,
    "description": "From your first variable to small programs of your own, one short lesson at a time.",
    "category": "programming",
    "difficulty_level": Difficulty.BEGINNER,
    "thumbnail_url": "https://cdn.example.com/courses/python-from-zero.png",
    "estimated_duration_minutes": 120,
    "metadata": {"language": "en", "demo": True},
}

PYTHON_LESSONS: tuple[dict[str, Any], ...] = (
    {
        "title": "Welcome and setup",
        "lesson_type": LessonType.VIDEO,
        "description": "What the course covers, and installing Python 3.",
        "video_url": "https://cdn.example.com/videos/python-from-zero/01-welcome.mp4",
        "duration_minutes": 8,
        "is_preview": True,
        "content": (
            "# Welcome\n\n"
            "In this course you write real Python from the first lesson.\n\n"
            "## Before the next lesson\n\n"
            "1. Install Python 3.11 or newer from [python.org](https://www.python.org/downloads/).\n"
            "2. Open a terminal and run `python3 --version`.\n"
            "3. Start the interactive interpreter with `python3` and type `1 + 1`.\n"
        ),
    },
    {
        "title": "Variables and types",
        "lesson_type": LessonType.TEXT,
        "description": "Names, values, and the types you meet first.",
        "duration_minutes": 15,
        "content": (
            "# Variables and types\n\n"
            "A **variable** is a name bound to a value:\n\n"
            "```python\n"
            'greeting = "Hello"\n'
            "year = 2026\n"
            "price = 9.99\n"
            "is_open = True\n"
            "```\n\n"
            "Python works out the type from the value. Ask it with `type(year)`.\n\n"
            '| Type | Example |\n|---|---|\n| `str` | `"Hello"` |\n| `int` | `2026` |\n'
            "| `float` | `9.99` |\n| `bool` | `True` |\n\n"
            "> Names are case-sensitive: `year` and `Year` are two different variables.\n"
        ),
    },
    {
        "title": "Making decisions",
        "lesson_type": LessonType.TEXT,
        "description": "if, elif, else and comparisons.",
        "duration_minutes": 20,
        "content": (
            "# Making decisions\n\n"
            "`if` runs a block only when its condition is true:\n\n"
            "```python\n"
            "temperature = 31\n"
            "if temperature > 30:\n"
            '    print("Hot")\n'
            "elif temperature > 15:\n"
            '    print("Mild")\n'
            "else:\n"
            '    print("Cold")\n'
            "```\n\n"
            "- Indentation (four spaces) marks the block.\n"
            "- Comparisons: `==`, `!=`, `<`, `<=`, `>`, `>=`.\n"
            "- Combine conditions with `and`, `or`, `not`.\n"
        ),
    },
    {
        "title": "Functions",
        "lesson_type": LessonType.VIDEO,
        "description": "Packaging code you want to run again.",
        "video_url": "https://cdn.example.com/videos/python-from-zero/04-functions.mp4",
        "duration_minutes": 18,
        "content": (
            "# Functions\n\n"
            "Watch the video, then try this in the interpreter:\n\n"
            "```python\n"
            "def area(width, height=1):\n"
            "    return width * height\n\n"
            "area(3, 4)   # 12\n"
            "area(5)      # 5\n"
            "```\n\n"
            "A function without `return` gives back `None`.\n"
        ),
    },
    {
        "title": "Lists and dictionaries",
        "lesson_type": LessonType.TEXT,
        "description": "Keeping many values together.",
        "duration_minutes": 25,
        "content": (
            "# Lists and dictionaries\n\n"
            "A **list** keeps values in order; a **dict** maps keys to values.\n\n"
            "```python\n"
            "scores = [72, 88, 95]\n"
            "scores.append(60)\n"
            'ages = {"ada": 36, "alan": 41}\n'
            "for name, age in ages.items():\n"
            '    print(f"{name} is {age}")\n'
            "```\n\n"
            "Lists are indexed from 0: `scores[0]` is `72`, `scores[-1]` is the last one.\n"
        ),
    },
    {
        "title": "Exercise: a number-guessing game",
        "lesson_type": LessonType.ASSIGNMENT,
        "description": "Put the first five lessons together.",
        "duration_minutes": 30,
        "content": (
            "# Exercise: a number-guessing game\n\n"
            "Write `guess.py`:\n\n"
            "1. Pick a secret number with `random.randint(1, 100)`.\n"
            "2. Ask for guesses with `input()` until the player finds it.\n"
            "3. After each guess, print *too low* or *too high*.\n"
            "4. At the end, print how many guesses it took.\n\n"
            "**Bonus:** refuse input that is not a number, without crashing.\n"
        ),
    },
)

DRAFT_COURSE: dict[str, Any] = {
    "title": "Web APIs with Django",
    "slug": DRAFT_COURSE_SLUG,
    "description": "Build and test a JSON API with Django REST Framework. (Work in progress.)",
    "category": "web",
    "difficulty_level": Difficulty.INTERMEDIATE,
    "estimated_duration_minutes": 240,
    "metadata": {"language": "en", "demo": True},
}

DRAFT_LESSONS: tuple[dict[str, Any], ...] = (
    {
        "title": "Project layout",
        "lesson_type": LessonType.TEXT,
        "duration_minutes": 15,
        "content": "# Project layout\n\nOne app per domain: `models`, `services`, `selectors`, `views`.\n",
    },
    {
        "title": "Your first endpoint",
        "lesson_type": LessonType.TEXT,
        "duration_minutes": 20,
        "content": "# Your first endpoint\n\nAn `APIView` with a `get` method, routed in `urls.py`.\n",
    },
)

# The demo student's progress in "Python from Zero", lesson by lesson: two done, one under way.
DEMO_PROGRESS: tuple[dict[str, Any], ...] = (
    {"status": "completed", "time_spent_seconds": 540, "last_position_seconds": 480},
    {"status": "completed", "time_spent_seconds": 960},
    {"completion_percentage": Decimal("40.00"), "time_spent_seconds": 420},
)

# --- Pools for the scale seed ----------------------------------------------------------------------

FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
    "Radia", "Tim", "Katherine", "Guido", "Hedy", "Donald", "Sophie", "John", "Joan", "Bjarne",
    "Karen", "Niklaus", "Mary", "Yukihiro", "Anita", "Leslie", "Shafi", "Brian", "Lynn", "Rasmus",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
    "Dijkstra", "Perlman", "Berners-Lee", "Johnson", "van Rossum", "Lamarr", "Knuth", "Wilson",
    "McCarthy", "Clarke", "Stroustrup", "Jones", "Wirth", "Keller", "Matsumoto", "Borg", "Lamport",
    "Goldwasser", "Kernighan", "Conway", "Lerdorf",
)  # fmt: skip

TOPICS = (
    ("Python", "programming"), ("SQL", "data"), ("PostgreSQL", "data"), ("Docker", "devops"),
    ("Kubernetes", "devops"), ("Git", "tools"), ("Linux", "tools"), ("JavaScript", "web"),
    ("TypeScript", "web"), ("React", "web"), ("Django", "web"), ("FastAPI", "web"),
    ("Data Analysis", "data"), ("Machine Learning", "data"), ("Statistics", "data"), ("Rust", "programming"),
    ("Go", "programming"), ("Networking", "devops"), ("Security", "security"), ("Cryptography", "security"),
    ("Testing", "tools"), ("Algorithms", "programming"), ("System Design", "programming"),
    ("Cloud Basics", "devops"), ("Excel", "business"), ("Project Management", "business"),
)  # fmt: skip
COURSE_TITLES = (
    "{} for Beginners", "Practical {}", "{} in Depth", "{}: the Essentials", "Hands-on {}",
    "Mastering {}", "{} Fundamentals", "Modern {}",
)  # fmt: skip
LESSON_TITLES = (
    "Introduction", "Core concepts", "First steps", "A worked example", "Common mistakes",
    "Under the hood", "Best practices", "Putting it together", "Debugging", "Performance",
    "Testing your work", "A real project", "Going further", "Review", "Tools of the trade",
    "Patterns", "Edge cases", "Case study", "Q&A", "Wrap-up",
)  # fmt: skip

SENTENCES = (
    "Start with the smallest version that works, then grow it one step at a time.",
    "Every concept in this lesson comes back in the project at the end of the course.",
    "Read the error message from the bottom up: the last line usually names the real problem.",
    "Naming things well is half of the work; a good name makes a comment unnecessary.",
    "Try each example yourself before reading the explanation below it.",
    "When two approaches look equal, prefer the one that is easier to test.",
    "Measure before you optimise: the slow part is rarely where you expect it.",
    "Small, frequent commits make it cheap to undo a wrong turn.",
    "Write down what you expect to happen, then check whether it did.",
    "The documentation is the source of truth; blog posts age quickly.",
    "Keep inputs and outputs explicit so every piece can be checked on its own.",
    "Edge cases live at the boundaries: empty, one, many, and too many.",
    "Automate the boring checks so your attention goes to the interesting ones.",
    "If a step feels magical, slow down and trace what actually happens.",
)
_BULLETS = (
    "what problem this solves", "the vocabulary you need", "a minimal working example",
    "how to check your result", "the trade-offs to keep in mind", "where it breaks down",
    "how professionals use it", "a checklist for your own projects",
)  # fmt: skip
_SNIPPETS = (
    "items = load()\nfor item in items:\n    check(item)\nsave(items)",
    "SELECT title, COUNT(*)\nFROM lessons\nGROUP BY title\nORDER BY 2 DESC;",
    "$ git switch -c feature\n$ git commit -am 'Small step'\n$ git push -u origin feature",
    "def total(prices):\n    return sum(p for p in prices if p > 0)",
)  # fmt: skip
REVIEWS = (
    "Clear explanations and good exercises, thank you!",
    "Great pace for a beginner; the project at the end tied it all together.",
    "Solid content, though some videos could be shorter.",
    "Exactly what I needed for work. Recommended.",
    "Good overview, but I wanted more depth in the later lessons.",
    "The examples were practical and easy to follow.",
    "Some parts felt rushed; the rest was very good.",
)
VIDEO_HOST = "https://cdn.example.com/videos"


def lesson_markdown(rng: random.Random, title: str, target: int = 1000) -> str:
    """About `target` characters of lesson markdown: a heading, prose, a list and a code block."""
    parts = [f"# {title}\n", " ".join(rng.sample(SENTENCES, 3)) + "\n", "## In this lesson\n"]
    parts.append("\n".join(f"- {bullet}" for bullet in rng.sample(_BULLETS, 4)) + "\n")
    parts.append(f"```\n{rng.choice(_SNIPPETS)}\n```\n")
    text = "\n".join(parts)
    while len(text) < target:
        text += "\n" + rng.choice(SENTENCES)
    return text + "\n"
