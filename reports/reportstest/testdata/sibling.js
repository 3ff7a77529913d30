document.title = "sibling.js ran";
