// Clicks the camera button as if the page were not a secure context, and returns the
// camera's status line and whether its video stays hidden. A WebDriver script body: the
// counter page's and the offline page's browser tests both run it.
const secure = Object.getOwnPropertyDescriptor(window, 'isSecureContext');
Object.defineProperty(window, 'isSecureContext', {value: false, configurable: true});
document.getElementById('camera-toggle').click();
Object.defineProperty(window, 'isSecureContext', secure);
return {status: document.getElementById('camera-status').textContent,
        hidden: document.getElementById('camera').hidden};
