// Collected into the static bucket by `manage.py collectstatic`.
document.documentElement.classList.add("js");
