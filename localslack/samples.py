"""A registration form's answers as a person would type them: the tests' and benchmarks' sample."""

TRUCK_STOP = {
    "name": "Sam Stone", "sector": "truck_stop", "organization": "Big Rig Plaza LLC",
    "title": "General Manager", "phone": "402.555.0100", "email": "sam@bigrig.example",
    "state": "NE", "place": "68102", "site_name": "Big Rig Plaza", "interstate": "80", "exit": "440",
}
