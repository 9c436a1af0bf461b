import reflex as rx

def index():
    return rx.text("hi")

app = rx.App()
app.add_page(index, route="/")
